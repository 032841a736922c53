#!/usr/bin/python3
"""`offload advise --verify` on an NFSv4.2 mount in the NFS guest
(tests/targets/guest/nfs-guest.sh, nfsd exporting XFS reflink=1, the client
in its own network namespace over a veth pair), the pair shaped with tc
(tbf) to each rate in turn: per rate and method the predicted and the
measured seconds, the recommendation and the fastest measured. Prints one
Markdown table (bench/README.md has one run); the JSON of every advice is
kept in WORK/advice-RATE.json. With --smb the same on the SMB guest's XFS
share (tests/targets/guest/smb-guest.sh: ksmbd, the cifs client with SMB
3.1.1 from its own network namespace).

Usage: advise_nfs_guest.py OFFLOAD WORK [--rates 20mbit,100mbit,400mbit] [--bytes N] [--repeat 2]
                           [--profile FILE | --calibrate-in-guest] [--smb]
The client constants: --calibrate-in-guest runs `offload calibrate` in the
guest first (guest_advise.CALIBRATE, on the export's XFS) and uses its
profile; else --profile, by default tests/nfs/advise-client-profile.json
(`offload calibrate` on the development VM); the guest is emulated (TCG).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "nfs"))
import guest_advise  # noqa: E402
import nfs_advise_check  # noqa: E402

METHODS = ("clone", "kernel-copy", "host")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("offload")
    parser.add_argument("work")
    parser.add_argument("--rates", default="20mbit,100mbit,400mbit")
    parser.add_argument("--bytes", type=int, default=8 << 20)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--profile", default=nfs_advise_check.PROFILE)
    parser.add_argument("--calibrate-in-guest", action="store_true")
    parser.add_argument("--smb", action="store_true", help="the SMB guest's XFS share instead of the NFS mount")
    args = parser.parse_args()
    rates = args.rates.split(",")
    shutil.rmtree(args.work, ignore_errors=True)
    tests = os.path.join(args.work, "test")
    os.makedirs(tests)
    nfs_advise_check.install_offload(args.offload, tests, args.profile)
    # The start-up of one simulation process alone (loading SimGrid's libraries under emulation).
    body = ('#!/bin/sh\nrc=0\nt0=$(cut -d" " -f1 /proc/uptime)\n'
            "LD_LIBRARY_PATH=/test/lib /test/offload-sim-run >/dev/null 2>&1\n"
            'echo "OFFLOAD-SIM-RUN-START $t0 $(cut -d" " -f1 /proc/uptime)"\n')
    export, mount, guest_script = (("$OFFLOAD_SMB_XFS_EXPORT", "$OFFLOAD_SMB_XFS", "smb-guest.sh") if args.smb else
                                   ("$OFFLOAD_NFS_EXPORT", "$OFFLOAD_NFS_DIR", "nfs-guest.sh"))
    if args.calibrate_in_guest:
        body += guest_advise.calibrate_lines(export)
    for i, rate in enumerate(rates):
        body += guest_advise.shape_lines(rate) + guest_advise.advise_lines(
            str(i), args.bytes, f"--verify --repeat {args.repeat}", export, mount)
    with open(os.path.join(tests, "run"), "w") as f:
        f.write(body + "exit $rc\n")
    os.chmod(os.path.join(tests, "run"), 0o755)
    state = os.path.join(args.work, "state")
    guest = os.path.join(HERE, "..", "tests", "targets", "guest", guest_script)
    env = {**os.environ, "OFFLOAD_GUEST_VETH": "1", "OFFLOAD_GUEST_RUN_TIMEOUT": "2400", "OFFLOAD_GUEST_LIFETIME": "3000"}
    proc = subprocess.run(["bash", guest, state, tests], env=env)
    log = open(os.path.join(state, "serial.log"), errors="replace").read()
    if proc.returncode != 0:
        print(f"{guest_script} exited {proc.returncode}; serial log {state}/serial.log")
        return 1
    start = guest_advise.guest_seconds(log, "OFFLOAD-SIM-RUN-START")
    if start is not None:
        print(f"one offload-sim-run start (no scenario) in the guest: {start:.1f} s")
    calibrated = guest_advise.guest_seconds(log, "OFFLOAD-CALIBRATE-TIME")
    if calibrated is not None:
        print(f"offload calibrate {guest_advise.CALIBRATE} in the guest: {calibrated:.1f} s")
        found = re.search(r"^OFFLOAD-GUEST-PROFILE (\{.*\})\s*$", log, re.M)
        if found:
            with open(os.path.join(args.work, "guest-profile.json"), "w") as f:
                f.write(found.group(1))
    for i, rate in enumerate(rates):
        took = re.search(rf"^OFFLOAD-ADVISE-TIME-{i} ([\d.]+) ([\d.]+)", log, re.M)
        if took:
            print(f"advise --verify at {rate}: {float(took.group(2)) - float(took.group(1)):.1f} s in the guest")
    print(f"| tc rate | method | predicted s | measured s (median of {args.repeat}) | error | link bytes predicted "
          "| recommended | fastest measured |\n|---|---|---|---|---|---|---|---|")
    for i, rate in enumerate(rates):
        found = re.search(rf"^OFFLOAD-ADVISE-{i} (\{{.*\}})\s*$", log, re.M)
        if not found:
            print(f"| {rate} | no advice (see {state}/serial.log) |")
            continue
        advice = json.loads(found.group(1))
        with open(os.path.join(args.work, f"advice-{rate}.json"), "w") as f:
            json.dump(advice, f, indent=1)
        fastest = advice.get("verify", {}).get("fastest_measured", "-")
        for m in sorted(advice["methods"], key=lambda m: METHODS.index(m["method"])):
            measured = m.get("measured_s")
            error = f"{(m['predicted_s'] / measured - 1) * 100:+.0f} %" if measured else "-"
            print(f"| {rate} | {m['method']} | {m['predicted_s']:.4g} | {measured:.4g} | {error} | "
                  f"{m['link_bytes']:.3g} | {'**yes**' if m['recommended'] else ''} | "
                  f"{'**yes**' if m['method'] == fastest else ''} |" if measured else
                  f"| {rate} | {m['method']} | {m['predicted_s']:.4g} | {m.get('measured_outcome', '-')} | - | "
                  f"{m['link_bytes']:.3g} | {'**yes**' if m['recommended'] else ''} | |")
        print(f"| {rate} | reason | {advice['reason']} | | | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
