#!/usr/bin/python3
"""SimGrid's lazy, selective network solver (the default) against its exact
one (network/optim:Full): every shipped scenario at its first sweep point,
every method, gives the same copy ends within 1e-9 (relative).

SimGrid 3.32's selective update marks only a comm's first link as modified
when its latency ends (sim/platform.cpp lists each route's most private link
first for that reason); a run whose lazy answer differs from the exact one
has met that or another gap of the lazy solver.

Usage: lazy_vs_full.py OFFLOAD_SIM_RUN SCENARIO_DIR [--max-clients N]
--max-clients N caps each [[host]] group at N hosts (the sanitizer build).
Prints one line per run and exits 1 when any differs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from check_scenarios import with_at_most  # noqa: E402

TOLERANCE = 1e-9


def run(binary, scenario, method, out, full):
    env = dict(os.environ)
    env.pop("OFFLOAD_SIMGRID_CFG", None)
    if full:
        env["OFFLOAD_SIMGRID_CFG"] = "network/optim:Full"
    proc = subprocess.run([binary, scenario, "--point", "0", "--method", method, "--output", out],
                          capture_output=True, text=True, env=env, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{scenario} {method}{' (Full)' if full else ''}: {proc.stderr.strip()[-400:]}")
    with open(out) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("scenarios")
    p.add_argument("--max-clients", type=int)
    a = p.parse_args()
    failed = runs = 0
    with tempfile.TemporaryDirectory() as work:
        for path in sorted(Path(a.scenarios).glob("*.toml")):
            with open(path, "rb") as f:
                methods = tomllib.load(f).get("scenario", {}).get("methods", [])
            scenario = with_at_most(str(path), a.max_clients, work) if a.max_clients else str(path)
            for method in methods:
                lazy = run(a.binary, scenario, method, os.path.join(work, "lazy.json"), False)
                full = run(a.binary, scenario, method, os.path.join(work, "full.json"), True)
                ends = [(c.get("end_s"), d.get("end_s")) for c, d in zip(lazy["copies"], full["copies"])]
                worst = max((abs(x - y) / max(abs(y), 1e-12) for x, y in ends if x is not None and y is not None),
                            default=0.0)
                ok = len(lazy["copies"]) == len(full["copies"]) and worst <= TOLERANCE
                runs += 1
                failed += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {path.name} {method}: largest copy-end difference {worst:.2e}")
    print(f"{runs - failed} runs agree, {failed} not")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
