#!/usr/bin/python3
"""Streamed vs chunked host copies ([scenario] host_stage): the same
simulated times within a tolerance.

Usage: stream_equivalence.py OFFLOAD_BINARY SCENARIO_DIR [--scale "100 1000"]
                             [--tolerance 2] [--only NAME ...] [--host-only]
                             [--quick]

Runs every shipped scenario (SCENARIO_DIR/*.toml) and workloads shaped like
bench/sim_scale.sh's (n concurrent 1 GiB host copies, 10 per client, one
filer per 10 clients; plain, a link down mid-copy, a filer restart
mid-copy, every copy cancelled mid-copy) with `offload sim` twice: once
host_stage = "chunked", once "streaming". Each run's simulated time and
each copy's end must agree within the tolerance (percent). Prints one line
per case and exits 1 when any differs by more.

--host-only runs only the methods that may make a host copy ("host",
"auto"): the others never run the host stage. --quick is the subset ctest
runs (sim_stream_equivalence): the NFS scenarios faults and
network-bottleneck with --host-only, and the 100-copy workloads (--scale
N: the N-copy ones; the sanitizer build's ctest uses 20).
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FAULTS = {
    "plain": "",
    "link-down": '[[fault]]\nkind = "link_down"\nlink = "lan0"\nat = "4s"\nduration = "2s"\n',
    "restart": '[[fault]]\nkind = "nfs_server_restart"\nserver = "f0"\nat = "4s"\nduration = "2s"\n',
    "cancel": None,  # cancel_after on every copy
}


def scale_scenario(n, case):
    """n copies, 10 per client, one filer (and link) per 10 clients."""
    hosts = max(1, n // 10)
    groups = max(1, hosts // 10)
    text = ('[scenario]\nname = "scale-%d-%s"\nseed = 1\nmethods = ["host"]\n'
            '[engine]\nqueue_depth = 40\ncopy_depth = 4\nhost_chunk = "64MiB"\n') % (n, case)
    for g in range(groups):
        text += f'''[[host]]
name = "c{g}"
count = {hosts // groups}
cores = 8
memcpy_bandwidth = "6GBps"
per_op_cpu = "20us"
nic = "10Gbps"
[[nfs_server]]
name = "f{g}"
cores = 32
memcpy_bandwidth = "10GBps"
per_op_cpu = "10us"
disk = {{ read = "20GBps", write = "16GBps", latency = "100us" }}
[[link]]
name = "lan{g}"
bandwidth = "100Gbps"
latency = "50us"
between = ["c{g}", "f{g}"]
[[copy]]
on = "c{g}"
from = "f{g}:/img/golden.img"
to = "f{g}:/img/copy.img"
size = "1GiB"
count = 10
concurrency = 10
start_jitter = "1s"
'''
        if case == "cancel":
            text += 'cancel_after = "5s"\n'
    return text + (FAULTS[case] or "")


def with_stage(text, stage, host_only=False):
    text = re.sub(r'^host_stage\s*=.*\n', "", text, flags=re.M)
    if host_only:  # the methods that may run a host copy; the others never stream
        def keep(match):
            kept = [m for m in re.findall(r'"([^"]+)"', match.group(1)) if m in ("host", "auto")]
            return "methods = [%s]\n" % ", ".join(f'"{m}"' for m in kept)
        text = re.sub(r'^methods\s*=\s*\[(.*)\]\s*\n', keep, text, count=1, flags=re.M)
    return text.replace("[scenario]\n", f'[scenario]\nhost_stage = "{stage}"\n', 1)


def run(offload, text, work, tag):
    path = Path(work) / f"{tag}.toml"
    path.write_text(text)
    out = Path(work) / tag
    proc = subprocess.run([offload, "sim", str(path), "--out", str(out), "--quiet"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{tag}: offload sim failed: {proc.stderr.strip()[-400:]}")
    runs = json.loads((out / "results.json").read_text())
    runs = runs["runs"] if isinstance(runs, dict) else runs
    return {(json.dumps(r["point"], sort_keys=True), r["method"]): r for r in runs}


def pct(a, b):
    return 100 * (b - a) / a if a > 0 else (0.0 if b == 0 else float("inf"))


def compare(name, chunked, streamed, tolerance):
    worst = 0.0
    for key, c in chunked.items():
        s = streamed[key]
        diffs = [abs(pct(c["sim_time_s"], s["sim_time_s"]))]
        ends_c = [x["end_s"] - x["start_s"] for x in c["copies"]]
        ends_s = [x["end_s"] - x["start_s"] for x in s["copies"]]
        mean_c, mean_s = sum(ends_c) / len(ends_c), sum(ends_s) / len(ends_s)
        diffs.append(abs(pct(mean_c, mean_s)))
        states = [x["state"] for x in c["copies"]] == [x["state"] for x in s["copies"]]
        retries_c, retries_s = (sum(x.get("retries", 0) for x in r["copies"]) for r in (c, s))
        worst = max(worst, *diffs)
        # The faults the engine sees: retried requests in both models or in neither.
        retried = (retries_c > 0) == (retries_s > 0)
        ok = max(diffs) <= tolerance and states and retried
        print(f"{'ok  ' if ok else 'FAIL'} {name} {key[1]} {key[0] if key[0] != '{}' else ''}: "
              f"sim {c['sim_time_s']:.4f} s vs {s['sim_time_s']:.4f} s ({pct(c['sim_time_s'], s['sim_time_s']):+.2f} %), "
              f"mean copy {mean_c:.4f} s vs {mean_s:.4f} s ({pct(mean_c, mean_s):+.2f} %)"
              + (f", retries {retries_c} vs {retries_s}" if retries_c or retries_s else "")
              + ("" if states else ", copy states differ"))
        if not ok:
            return False, worst
    return True, worst


def main():
    p = argparse.ArgumentParser()
    p.add_argument("offload")
    p.add_argument("scenarios")
    p.add_argument("--scale", help='copies of the sim_scale-shaped workloads (default "100 1000"; 100 with --quick)')
    p.add_argument("--tolerance", type=float, default=2.0)
    p.add_argument("--only", nargs="*")
    p.add_argument("--host-only", action="store_true")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    if a.quick:
        a.scale, a.host_only = a.scale or "100", True
        a.only = ["faults", "network-bottleneck"] + [f"scale-{n}-{c}" for n in a.scale.split() for c in FAULTS]
    a.scale = a.scale or "100 1000"
    cases = [(f.stem, f.read_text()) for f in sorted(Path(a.scenarios).glob("*.toml"))]
    cases += [(f"scale-{n}-{c}", scale_scenario(int(n), c)) for n in a.scale.split() for c in FAULTS]
    if a.only:
        missing = set(a.only) - {name for name, _ in cases}
        if missing:
            sys.exit(f"stream_equivalence.py: --only: no such case: {', '.join(sorted(missing))}")
        cases = [(name, text) for name, text in cases if name in a.only]
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for name, text in cases:
            chunked = run(a.offload, with_stage(text, "chunked", a.host_only), work, name + "-chunked")
            streamed = run(a.offload, with_stage(text, "streaming", a.host_only), work, name + "-streaming")
            ok, _ = compare(name, chunked, streamed, a.tolerance)
            failed += not ok
    print(f"{len(cases) - failed} cases within {a.tolerance} %, {failed} not")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
