"""The `offload advise` half of ctest nfs_guest: after nfs_guest_test, the
guest shapes the veth pair between the NFS client's network namespace and
the server with tc (tbf, both ends, RATE) and runs `offload advise` on the
NFS mount from the client's namespace. The advice must have found the
server's COPY, the shaped rate on the route to the server, and recommend a
server-side method as network-bound, with what it gains.

The client's CPU constants are a profile `offload calibrate` wrote on the
development VM (advise-client-profile.json: two sizes, one timed copy each,
kept as written; bench/advise_nfs_guest.py measured with it): the guest is
emulated and its own calibration would take minutes, and a fresh two-point
calibration on a loaded machine can fit nonsense. At RATE the link, not
the CPU, bounds the host copy.
"""
import json
import os
import re
import shutil

from guest_run import add_dynamic_program

RATE = "50mbit"          # tc's unit: 50 * 10^6 bit/s
RATE_BPS = 50e6 / 8      # bytes/s
PROFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "advise-client-profile.json")
SIZE = "32MiB"           # the copy advised on (the probe itself copies 64 KiB); simulated in the guest


def install_offload(offload, tests, profile=PROFILE):
    """The client's profile as /test/profile.json, and offload and
    offload-sim-run with their libraries, into the guest's /test."""
    shutil.copy(profile, os.path.join(tests, "profile.json"))
    add_dynamic_program(tests, offload)
    add_dynamic_program(tests, os.path.join(os.path.dirname(offload), "offload-sim-run"))


def shape_lines(rate):
    """Guest shell lines: tbf at `rate` (tc's units) on both ends of the veth pair, replacing any."""
    shape = f"tbf rate {rate} burst 256kb latency 200ms"
    return f"""TC=/usr/local/sbin/tc IN_CLIENT="nsenter --net=/run/netns/client"
$TC qdisc replace dev veth-s root {shape} || rc=1
$IN_CLIENT $TC qdisc replace dev veth-c root {shape} || rc=1
"""


def advise_lines(label, source_bytes, options):
    """Guest shell lines: a random source of `source_bytes` written on the
    server's side, `offload advise SOURCE MOUNT --json OPTIONS` from the
    client's namespace, its JSON as one line "OFFLOAD-ADVISE-LABEL {...}" and
    its guest seconds as "OFFLOAD-ADVISE-TIME-LABEL START END"."""
    return f"""head -c {source_bytes} /dev/urandom > "$OFFLOAD_NFS_EXPORT/advise-source"; sync
t0=$(cut -d" " -f1 /proc/uptime)
$IN_CLIENT env LD_LIBRARY_PATH=/test/lib /test/offload advise "$OFFLOAD_NFS_DIR/advise-source" "$OFFLOAD_NFS_DIR" \\
  --json --profile /test/profile.json {options} > /tmp/advice.json || rc=1
echo "OFFLOAD-ADVISE-TIME-{label} $t0 $(cut -d" " -f1 /proc/uptime)"
echo "OFFLOAD-ADVISE-{label} $(tr -d '\\n' < /tmp/advice.json)"
rm -f "$OFFLOAD_NFS_EXPORT/advise-source"
"""


def prepare(args, tests):
    """The ctest's guest lines after nfs_guest_test: shape to RATE, advise on SIZE."""
    install_offload(args.offload, tests)
    return (f"# offload advise on the NFS mount, the veth pair shaped to {RATE}\n" + shape_lines(RATE)
            + advise_lines("CHECK", 4 << 20, f"--size {SIZE}"))


def check(log):
    """Prints the advice and returns the number of failed assertions."""
    found = re.search(r"^OFFLOAD-ADVISE-CHECK (\{.*\})\s*$", log, re.M)
    if not found:
        print("nfs_guest: FAIL: no OFFLOAD-ADVISE line (offload advise did not answer in the guest)")
        return 1
    advice = json.loads(found.group(1))
    times = re.search(r"^OFFLOAD-ADVISE-TIME-CHECK ([\d.]+) ([\d.]+)", log, re.M)
    print(f"\noffload advise on the NFS mount, link shaped to {RATE} (tbf)"
          + (f": {float(times.group(2)) - float(times.group(1)):.1f} s in the guest" if times else ""))
    for f in advice["probe"]["findings"]:
        print(f"  {f['what'] + ':':24} {f['result']:32} {f['how']}")
    methods = {m["method"]: m for m in advice["methods"]}
    for m in advice["methods"]:
        print(f"  {m['method']:12} predicted {m['predicted_s']:9.3f} s  link bytes {m['link_bytes']:13.0f}")
    for m in advice["left_out"]:
        print(f"  {m['method']:12} not simulated: {m['reason']}")
    print(f"  recommended: {advice['reason']}")

    link = advice["probe"].get("link", {})
    checks = [
        ("the server's COPY recognised", advice["probe"].get("nfs_server_copy") is True),
        ("the route leaves by veth-c", link.get("interface") == "veth-c"),
        (f"the shaped rate found ({RATE})", abs(link.get("rate_Bps", 0) - RATE_BPS) <= 0.02 * RATE_BPS),
        ("server-side COPY simulated", "kernel-copy" in methods),
        ("a server-side method recommended", advice["recommended"] in ("kernel-copy", "clone")),
        ("the reason: network-bound at 50 Mb/s", "network-bound at 50 Mb/s" in advice["reason"]),
        ("the reason says the gain", "faster, saves" in advice["reason"]),
        ("the gain is real in the model", "host" in methods and advice["recommended"] in methods
         and methods["host"]["predicted_s"] > 2 * methods[advice["recommended"]]["predicted_s"]),
    ]
    failures = 0
    for what, ok in checks:
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    return failures
