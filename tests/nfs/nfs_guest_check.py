#!/usr/bin/python3
"""ctest nfs_guest: runs nfs_guest_test inside the NFS guest
(tests/targets/guest/nfs-guest.sh), fails if any in-guest test fails, then
compares the measured NFS wire bytes per method with the simulator's bytes on
the client's link for the same copy (one client, one NFS server); then
checks `offload advise` on the tc-shaped mount (nfs_advise_check.py).

Usage: nfs_guest_check.py --test-binary BIN --offload OFFLOAD --guest-dir DIR --work DIR
Exit 0 pass, 1 fail, 77 skip (QEMU cannot start; a failure instead when
OFFLOAD_REQUIRE_REAL_FS=1).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest_run import measure_in_guest  # noqa: E402
from guest_sim import simulate_scenario  # noqa: E402
import nfs_advise_check  # noqa: E402

# Same copy in the simulator: a method label there for each measured method.
SIM_METHOD = {"host": "host", "kernel-copy": "nfs-copy-sync", "clone": "clone"}
# Allowed |simulated - measured| client link bytes, as a share of the file
# size: RPC headers and the OPEN/CLOSE/GETATTR traffic the model leaves out.
TOLERANCE = 0.02


def simulate(offload, work, file_bytes, rsize, methods):
    """Client link bytes per simulator method for one copy of file_bytes."""
    runs = simulate_scenario(offload, work, "nfs-guest-check", f"""[scenario]
name = "nfs-guest-check"
description = "the copy measured in the NFS guest: one client, one filer"
seed = 1
network_model = "CM02"
methods = {json.dumps(methods)}

[engine]
queue_depth = 8
host_chunk = {rsize}   # the guest mount's rsize/wsize
kernel_copy_chunk = "64MiB"

[[host]]
name = "client"
cores = 2
memcpy_bandwidth = "2GBps"
per_op_cpu = "20us"
nic = "1Gbps"

[[nfs_server]]
name = "filer"
cores = 2
memcpy_bandwidth = "2GBps"
nic = "1Gbps"
disk = {{ read = "500MBps", write = "500MBps", latency = "100us" }}
copy = {{ sync_cap = "4MiB", clone = true }}

[[link]]
name = "lan"
bandwidth = "1Gbps"
latency = "50us"
between = ["client", "filer"]

[[copy]]
on = "client"
from = "filer:/src"
to = "filer:/dst"
size = {file_bytes}
""", "nfs_guest")
    return {run["method"]: run["metrics"]["link_bytes"]["lan"] for run in runs}


def main():
    os.environ["OFFLOAD_GUEST_VETH"] = "1"  # the client in its own network namespace: tc shapes its link
    args, log, result = measure_in_guest("nfs_guest", "nfs_guest_test", "nfs-guest.sh", "OFFLOAD-NFS-RESULT", "NFS",
                                         prepare=nfs_advise_check.prepare)
    mounted = re.search(r"rsize=(\d+)", log)
    rsize = int(mounted.group(1)) if mounted else 131072
    size = result["file_bytes"]
    measured = {m: r for m, r in result["methods"].items() if m in SIM_METHOD}
    simulated = simulate(args.offload, args.work, size, rsize, [SIM_METHOD[m] for m in measured])

    failures = 0
    print(f"\nNFSv4.2 copy of {size} bytes (rsize/wsize {rsize}): client wire bytes, real guest vs simulator")
    print(f"{'method':12} {'used':12} {'fs':4} {'READ payload':>13} {'WRITE payload':>13} {'real wire':>11} "
          f"{'sim method':14} {'sim link':>11} {'diff':>9} {'tolerance':>9}  verdict")
    for method, r in measured.items():
        sim = simulated[SIM_METHOD[method]]
        diff = sim - r["wire_bytes"]
        ok = abs(diff) <= TOLERANCE * size
        failures += not ok
        print(f"{method:12} {r['methods_used']:12} {r['destination_fs']:4} {r['read_payload_bytes']:13} "
              f"{r['write_payload_bytes']:13} {r['wire_bytes']:11} {SIM_METHOD[method]:14} {sim:11.0f} {diff:+9.0f} "
              f"{TOLERANCE * size:9.0f}  {'ok' if ok else 'FAIL'}")
    for method, r in result["methods"].items():
        client = " ".join(f"{op}={c['ops']}" for op, c in r["ops"].items())
        server = " ".join(f"{op}={n}" for op, n in r.get("server_calls", {}).items())
        print(f"  {method}: client NFS operations {client}; nfsd counted {server}")
    # The point of the model: offload saves the client's link almost all of the copy's bytes.
    if "host" in measured and "kernel-copy" in measured:
        real_ratio = measured["host"]["wire_bytes"] / max(1, measured["kernel-copy"]["wire_bytes"])
        sim_ratio = simulated["host"] / max(1.0, simulated["nfs-copy-sync"])
        print(f"host / COPY client bytes: real {real_ratio:.0f}x, simulated {sim_ratio:.0f}x")
    if failures:
        print(f"nfs_guest: FAIL: {failures} method(s) outside the tolerance")
        return 1
    if nfs_advise_check.check(log):
        print("nfs_guest: FAIL: offload advise on the shaped NFS mount (above)")
        return 1
    print("nfs_guest: all in-guest tests passed; simulated client link bytes within tolerance; offload advise "
          "recommends the server-side copy on the shaped link")
    return 0


if __name__ == "__main__":
    sys.exit(main())
