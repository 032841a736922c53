#!/usr/bin/python3
"""ctest smb_guest: runs smb_guest_test inside the SMB guest
(tests/targets/guest/smb-guest.sh: ksmbd sharing XFS and ext4, the cifs
client), fails if any in-guest test fails, prints what each copy sent over
the SMB connection, and compares it with the simulator's SMB model for the
same copy (models/smb_server.hpp): the request counts must match exactly
(the client's two FSCTL_QUERY_ALLOCATED_RANGES for SEEK_DATA/SEEK_HOLE
and the engine's zero-length clone probe set aside, which the model does
not send), the client's sends (a CREATE with the QUERY_INFO and CLOSE
compounded with it counts once) within 3 of the model's, and the link
bytes within 2 % of the file size. Then `offload cp` itself in the guest
(tests/smb/smb_guest_cli.sh): its "smb:" and "fallback:" lines. Then
`offload advise` on both shares with the link shaped by tc
(smb_advise_check.py). The client mounts from its own network namespace
over a veth pair (OFFLOAD_GUEST_VETH=1), so the wire bytes are the veth's.

Usage: smb_guest_check.py --test-binary BIN --offload OFFLOAD --guest-dir DIR --work DIR
Exit 0 pass, 1 fail, 77 skip (QEMU cannot start; a failure instead when
OFFLOAD_REQUIRE_REAL_FS=1).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_run import measure_in_guest  # noqa: E402
from guest_sim import simulate_scenario  # noqa: E402
import smb_advise_check  # noqa: E402


# Measured case -> simulator method, and the IOCTLs the model does not send.
SIM_CASES = {"host": ("host", 2), "kernel-copy": ("kernel-copy", 2), "clone": ("clone", 3)}
# Allowed |simulated - measured| link bytes, as a share of the file size:
# TCP/IP headers and the message sizes the model takes for the client's
# CREATE + QUERY_INFO + CLOSE exchanges.
TOLERANCE = 0.02
# The SMB2 commands that start a send of their own (a CREATE carries the
# QUERY_INFO and CLOSE compounded with it), and how far the model's sends
# may be from them: a duplicate-extents copy also sends the SET_INFO that
# sizes the destination, the engine's zero-length probe and one more CREATE.
SEND_LABELS = ("Creates", "IOCTLs", "SetInfos", "Flushes", "Reads", "Writes")
SEND_TOLERANCE = 3


def simulate(offload, work, file_bytes, rsize):
    """The simulator's record per method for the copy measured on the XFS share."""
    runs = simulate_scenario(offload, work, "smb-guest-check", f"""[scenario]
name = "smb-guest-check"
description = "the copy measured in the SMB guest: one client, ksmbd on XFS"
network_model = "CM02"
methods = ["host", "kernel-copy", "clone"]

[engine]
queue_depth = 8
host_chunk = "4MiB"
kernel_copy_chunk = "64MiB"

[[host]]
name = "client"

[[smb_server]]
name = "ksmbd"
disk = {{ read = "500MBps", write = "500MBps" }}
fs = {{ reflink = true, copy_range_reflinks = true }}
copy = {{ max_read = {rsize}, max_write = {rsize} }}

[[link]]
name = "lo"
bandwidth = "1Gbps"
between = ["client", "ksmbd"]

[[copy]]
on = "client"
from = "ksmbd:/xfs/src"
to = "ksmbd:/xfs/dst"
size = {file_bytes}
""", "smb_guest")
    return {run["method"]: run for run in runs}


def compare_with_model(result, simulated):
    """Failures: request counts that differ, link bytes outside the tolerance."""
    size, failures = result["file_bytes"], 0
    print(f"\nmeasured vs simulated ({size} bytes, XFS share)")
    print(f"{'case':12} {'IOCTLs':>6} {'sim FSCTLs':>10} {'READ/WRITE':>10} {'sim':>7} {'sends':>5} {'sim':>4} "
          f"{'wire B':>10} {'sim link B':>10}  verdict")
    for case, (method, unsent) in SIM_CASES.items():
        real, sim = result["cases"][case], simulated[method]
        counts = sim["metrics"]["smb"]["ksmbd"]
        fsctls = counts["resume_key"] + counts["copychunk"] + counts["duplicate_extents"]
        rw_real = (real["requests"].get("Reads", 0), real["requests"].get("Writes", 0))
        rw_sim = (counts["read"], counts["write"])
        link = sim["metrics"]["link_bytes"]["lo"]
        sends = sum(real["requests"].get(k, 0) for k in SEND_LABELS)
        sim_sends = fsctls + counts["read"] + counts["write"] + counts["metadata"]
        ok = (real["requests"].get("IOCTLs", 0) - unsent == fsctls and rw_real == rw_sim
              and abs(sends - sim_sends) <= SEND_TOLERANCE and abs(link - real["wire_bytes"]) <= TOLERANCE * size)
        failures += not ok
        print(f"{case:12} {real['requests'].get('IOCTLs', 0):6} {fsctls:10.0f} {'%d/%d' % rw_real:>10} "
              f"{'%d/%d' % rw_sim:>7} {sends:5} {sim_sends:4.0f} {real['wire_bytes']:10} {link:10.0f}  {'ok' if ok else 'FAIL'}")
    return failures


def print_cases(result):
    size = result["file_bytes"]
    print(f"\nSMB3 copies of {size} bytes through the cifs mounts (ksmbd in the same guest)")
    print(f"{'case':12} {'shares':10} {'method':12} {'used':12} {'IOCTLs':>6} {'READ B':>9} {'WRITE B':>9} "
          f"{'wire B':>9} {'seconds':>8}  fallback")
    for name, c in result["cases"].items():
        fallback = "; ".join(f"{f['from']}->{f['to']} {f['errno']}: {f['detail']}" for f in c["fallbacks"])
        print(f"{name:12} {c['from'] + '->' + c['to']:10} {c['method']:12} {c['methods_used']:12} "
              f"{c['requests'].get('IOCTLs', 0):6} {c['smb_bytes_read']:9} {c['smb_bytes_written']:9} "
              f"{c['wire_bytes']:9} {c['seconds']:8.2f}  {fallback or c['error']}")


def main():
    os.environ["OFFLOAD_GUEST_VETH"] = "1"  # the client in its own network namespace: tc shapes its link
    args, log, result = measure_in_guest("smb_guest", "smb_guest_test", "smb-guest.sh", "OFFLOAD-SMB-RESULT", "SMB",
                                         cli_script=os.path.join(os.path.dirname(os.path.abspath(__file__)), "smb_guest_cli.sh"),
                                         prepare=smb_advise_check.prepare)
    if not re.search(r"^smb-guest-cli: ok\s*$", log, re.M):
        print("smb_guest: FAIL: offload cp in the guest (tests/smb/smb_guest_cli.sh, its lines above)")
        return 1
    print_cases(result)
    mounted = re.search(r"smb-xfs cifs \S*rsize=(\d+)", log)
    failures = compare_with_model(result, simulate(args.offload, args.work, result["file_bytes"],
                                                   int(mounted.group(1)) if mounted else 4194304))
    if failures:
        print(f"smb_guest: FAIL: {failures} case(s) differ from the model")
        return 1
    if smb_advise_check.check(log):
        print("smb_guest: FAIL: offload advise on the shaped SMB mounts (above)")
        return 1
    print("smb_guest: all in-guest tests passed; request counts equal the model's, link bytes within tolerance; offload advise "
          "recommends server-side copy on the shaped link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
