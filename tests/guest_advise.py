"""The `offload advise` halves of the NFS and SMB guest tests share these:
`offload` and `offload-sim-run` with the client's profile in the guest's
/test, tc lines that shape the veth pair between the client's network
namespace and the server, and printing an advice and its checks.
"""
import json
import os
import re
import shutil

from guest_run import add_dynamic_program

# Client CPU constants: a profile `offload calibrate` wrote on the
# development VM (ext4; two sizes, one timed copy each, kept as written).
PROFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nfs", "advise-client-profile.json")
# The one `offload calibrate` wrote inside the NFS guest (XFS under the
# export; CALIBRATE below, kept as written: bench/advise_nfs_guest.py
# --calibrate-in-guest, bench/README.md): the emulated client's own
# constants, for the NFS and SMB guests' advice. Calibrating there took
# 141 s of guest time, too long to repeat in every ctest run.
GUEST_PROFILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nfs", "advise-guest-profile.json")


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


def print_advice(advice):
    """The probe's findings, the predictions, the left-out methods and the reason."""
    for f in advice["probe"]["findings"]:
        print(f"  {f['what'] + ':':24} {f['result']:32} {f['how']}")
    for m in advice["methods"]:
        print(f"  {m['method']:12} predicted {m['predicted_s']:9.3f} s  link bytes {m['link_bytes']:13.0f}")
    for m in advice["left_out"]:
        print(f"  {m['method']:12} not simulated: {m['reason']}")
    print(f"  recommended: {advice['reason']}")


def count_failures(checks):
    """Prints each (what, ok) and returns how many failed."""
    failures = 0
    for what, ok in checks:
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    return failures


def network_bound_checks(advice, rate_text, server_methods):
    """The shared assertions on a throttled link: a server-side method of
    `server_methods` recommended, with its gain, the gain real in the model,
    and the reason network-bound at `rate_text` (the reason's words,
    "50 Mb/s") exactly when the model's host copy needs the link for 80 % of
    its time or more (with the probed round trip, the host copy's requests
    one after the other can leave the link idle more than that)."""
    methods = {m["method"]: m for m in advice["methods"]}
    best = advice["recommended"]
    host = methods.get("host", {})
    link_share = host.get("link_bytes", 0) / 2 / advice.get("remote", {}).get("link_Bps", 1) / host.get("predicted_s", 1)
    bound = link_share >= 0.8
    return [
        (f"a server-side method recommended ({' or '.join(server_methods)})", best in server_methods),
        (f"the reason: {'' if bound else 'not '}network-bound at {rate_text} (the link {link_share:.0%} of the "
         "host copy's time)", (f"network-bound at {rate_text}" in advice["reason"]) == bound),
        ("the reason says the gain", "faster, saves" in advice["reason"]),
        ("the gain is real in the model", "host" in methods and best in methods
         and methods["host"]["predicted_s"] > 2 * methods[best]["predicted_s"]),
    ]


def advise_lines(label, source_bytes, options, export_dir, mount_dir):
    """Guest shell lines: a random source of `source_bytes` written on the
    server's side (`export_dir`, a shell word), `offload advise SOURCE
    MOUNT_DIR --json OPTIONS` from the client's namespace, its JSON as one
    line "OFFLOAD-ADVISE-LABEL {...}" and its guest seconds as
    "OFFLOAD-ADVISE-TIME-LABEL START END"."""
    return f"""head -c {source_bytes} /dev/urandom > "{export_dir}/advise-source"; sync
t0=$(cut -d" " -f1 /proc/uptime)
$IN_CLIENT env LD_LIBRARY_PATH=/test/lib /test/offload advise "{mount_dir}/advise-source" "{mount_dir}" \\
  --json --profile /test/profile.json {options} > /tmp/advice.json || rc=1
echo "OFFLOAD-ADVISE-TIME-{label} $t0 $(cut -d" " -f1 /proc/uptime)"
echo "OFFLOAD-ADVISE-{label} $(tr -d '\\n' < /tmp/advice.json)"
rm -f "{export_dir}/advise-source"
"""


def find_advice(log, label, test, title):
    """The advice of `label` in the serial log (None, printing why, when
    missing), after printing `title` with the guest seconds it took."""
    found = re.search(rf"^OFFLOAD-ADVISE-{label} (\{{.*\}})\s*$", log, re.M)
    if not found:
        print(f"{test}: FAIL: no OFFLOAD-ADVISE-{label} line (offload advise did not answer in the guest)")
        return None
    times = re.search(rf"^OFFLOAD-ADVISE-TIME-{label} ([\d.]+) ([\d.]+)", log, re.M)
    print(f"\n{title}" + (f": {float(times.group(2)) - float(times.group(1)):.1f} s in the guest" if times else ""))
    advice = json.loads(found.group(1))
    print_advice(advice)
    return advice


def link_checks(advice, rate, rate_Bps, statfs_round_trips=1):
    """The probe found the route through the client's veth-c, the tbf at
    `rate` (tc's words), `rate_Bps` bytes/s, and timed the round trip to the
    server, which the model uses divided by the round trips one statfs
    waits for (`statfs_round_trips`: NFS 1, SMB 3; README)."""
    link = advice["probe"].get("link", {})
    trip = advice["probe"].get("round_trip", {})
    remote = advice.get("remote", {})
    return [("the route leaves by veth-c", link.get("interface") == "veth-c"),
            (f"the shaped rate found ({rate})", abs(link.get("rate_Bps", 0) - rate_Bps) <= 0.02 * rate_Bps),
            ("the round trip to the server timed (statfs, 9 requests)", len(trip.get("samples_s", [])) == 9
             and 0 < trip.get("min_s", 0) <= trip.get("median_s", 0) <= trip.get("max_s", 0)),
            (f"the model's round trip is the probed median / {statfs_round_trips}",
             abs(remote.get("round_trip_s", 0) - trip.get("median_s", 0) / statfs_round_trips) <= 1e-9
             and remote.get("round_trip_how", "").startswith("probed: statfs(2)"))]


# `offload calibrate` in the guest: the client's own CPU constants (the
# guest is emulated, several times slower than the machine that runs it).
# Two sizes, host copies only, one timed copy each: the fewest points the
# fit takes, so that it stays short under TCG.
CALIBRATE = "--sizes 1MiB,2MiB --queue-depths 1 --methods host --repeat 1 --jobs 1"


def calibrate_lines(local_dir):
    """Guest shell lines: `offload calibrate` in `local_dir` (a shell word:
    a directory on a local filesystem of the guest), its profile installed
    as /test/profile.json (replacing the development VM's), printed as one
    line "OFFLOAD-GUEST-PROFILE {...}", its guest seconds as
    "OFFLOAD-CALIBRATE-TIME START END"."""
    return f"""mkdir -p "{local_dir}/calibrate"
t0=$(cut -d" " -f1 /proc/uptime)
if env LD_LIBRARY_PATH=/test/lib /test/offload calibrate --dir "{local_dir}/calibrate" {CALIBRATE} \\
     --out /tmp/calibration --profile-dir /tmp/profiles > /tmp/calibrate.log 2>&1; then
  cp /tmp/profiles/*.json /test/profile.json
else
  rc=1; sed 's/^/calibrate: /' /tmp/calibrate.log
fi
echo "OFFLOAD-CALIBRATE-TIME $t0 $(cut -d" " -f1 /proc/uptime)"
echo "OFFLOAD-GUEST-PROFILE $(tr -d '\\n' < /test/profile.json)"
rm -rf "{local_dir}/calibrate"
"""


def guest_seconds(log, name):
    """The guest seconds between the numbers of the line "NAME START END" (None when absent)."""
    found = re.search(rf"^{name} ([\d.]+) ([\d.]+)", log, re.M)
    return float(found.group(2)) - float(found.group(1)) if found else None
