"""The simulator side of the guest checks (tests/nfs/nfs_guest_check.py,
tests/smb/smb_guest_check.py): runs `offload sim` on a scenario written for
the copy a guest measured, and returns its results records."""
import json
import os
import subprocess
import sys


def simulate_scenario(offload, work, name, toml_text, test):
    """Writes WORK/NAME.toml, runs it, returns the list of run records; on
    failure prints "TEST: FAIL: ..." and exits 1."""
    scenario = os.path.join(work, name + ".toml")
    with open(scenario, "w") as f:
        f.write(toml_text)
    out = os.path.join(work, "sim")
    proc = subprocess.run([offload, "sim", scenario, "--out", out, "--quiet"], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"{test}: FAIL: offload sim {scenario}: {proc.stderr.strip()}")
        sys.exit(1)
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)
