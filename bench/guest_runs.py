"""Timed copies in the QEMU guests (tests/targets/guest/): boots the NFS
guest (nfsd + the Linux NFSv4.2 client) or the LIO guest (iSCSI target,
libiscsi initiator) with a network namespace "client" joined to the server
by a veth pair, shapes both ends with tc (tbf) at each rate in turn, and
runs tests/timing/guest_timing there: probes (memcpy, TCP, disk) and the
copies. Returns the "OFFLOAD-TIMING" records of the serial log.
"""
import json
import os
import re
import shutil
import subprocess

GUEST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "targets", "guest")

# Shapes both directions of the veth pair: tbf on each end's egress. The
# bucket (burst) holds 256 KiB: veth passes GSO packets of up to 64 KiB.
RUN_HEAD = """#!/bin/sh
# Written by bench/guest_runs.py: timed copies at each link rate.
T="/test/lib/ld-linux-x86-64.so.2 --library-path /test/lib /test/guest_timing"
IN_CLIENT="nsenter --net=/run/netns/client"
tc() { /usr/local/sbin/tc "$@"; }   # iproute2 (busybox tc has no tbf)
shape() {
  tc qdisc del dev veth-s root 2>/dev/null; $IN_CLIENT /usr/local/sbin/tc qdisc del dev veth-c root 2>/dev/null
  [ "$1" = unthrottled ] && return 0
  tc qdisc add dev veth-s root tbf rate "$1" burst 256kb latency 200ms || return 1
  $IN_CLIENT /usr/local/sbin/tc qdisc add dev veth-c root tbf rate "$1" burst 256kb latency 200ms || return 1
  echo "OFFLOAD-SHAPED $1: $(tc qdisc show dev veth-s) / $($IN_CLIENT /usr/local/sbin/tc qdisc show dev veth-c)"
}
rc=0
"""


class GuestUnavailable(Exception):
    """QEMU or the guest's downloads are missing here (the scripts exited 77)."""


def _test_dir(work, binary, body):
    """/test for the guest: the program, its shared libraries (ldd) and `run`."""
    tests = os.path.join(work, "test")
    shutil.rmtree(tests, ignore_errors=True)
    os.makedirs(os.path.join(tests, "lib"))
    shutil.copy(binary, os.path.join(tests, "guest_timing"))
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    for lib in re.findall(r"(/\S+\.so[.\d]*) \(0x", ldd):
        shutil.copy(os.path.realpath(lib), os.path.join(tests, "lib", os.path.basename(lib)))
    with open(os.path.join(tests, "run"), "w") as f:
        f.write(RUN_HEAD + body + "exit $rc\n")
    os.chmod(os.path.join(tests, "run"), 0o755)
    return tests


def _records(state):
    log_path = os.path.join(state, "serial.log")
    log = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""
    records = [json.loads(m) for m in re.findall(r"^OFFLOAD-TIMING (\{.*\})\s*$", log, re.M)]
    return log, records


def _boot(command, env, state):
    env = {"OFFLOAD_GUEST_RUN_TIMEOUT": "2400", "OFFLOAD_GUEST_LIFETIME": "3000", **env}
    proc = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    log, records = _records(state)
    if proc.returncode == 77:
        raise GuestUnavailable(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "exit 77")
    program = [line for line in log.splitlines() if not re.match(r"^\[\s*\d+\.\d+\]", line)
               and not line.startswith("OFFLOAD-TIMING")]
    if proc.returncode != 0:
        raise RuntimeError(f"{command[1]} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}\n"
                           + "\n".join(program[-40:]))
    return records, program


def _per_rate(rates, probe_bytes, disk, copies):
    """Run-script lines: at each rate, shape, probe (the disk at the first only), then `copies` (RATE filled in)."""
    body = ""
    for i, rate in enumerate(rates):
        probe_disk = f"--disk {disk} " if i == 0 else ""
        body += (f"shape {rate} || rc=1\n$T probe --rate {rate} --bytes {probe_bytes} {probe_disk}|| rc=1\n"
                 + copies.replace("RATE", rate) + " || rc=1\n")
    return body


def run_nfs(binary, work, sizes, rates, repeat, probe_bytes="64MiB"):
    """NFS guest: export on XFS without reflink (nfsd's COPY copies the data)."""
    body = _per_rate(rates, probe_bytes, "/srv/export/probe.bin",
                     'rm -f /srv/export/probe.bin; $T nfs --mount "$OFFLOAD_NFS_DIR" --export "$OFFLOAD_NFS_EXPORT" '
                     f'--sizes {",".join(sizes)} --repeat {repeat} --rate RATE')
    tests = _test_dir(work, binary, body)
    state = os.path.join(work, "nfs-state")
    return _boot(["bash", os.path.join(GUEST_DIR, "nfs-guest.sh"), state, tests],
                 {"OFFLOAD_GUEST_VETH": "1", "OFFLOAD_NFS_REFLINK": "0"}, state)


def run_scsi(binary, work, sizes, rates, repeat, probe_bytes="64MiB"):
    """LIO guest: LUN 0 -> LUN 1 over iSCSI from the client namespace; LUN 2 (unused) for the disk probe."""
    largest = max(sizes, key=_bytes)
    body = ('iqn=$(sed -n "s/.*offload.iqn=\\([^ ]*\\).*/\\1/p" /proc/cmdline)\n'
            f"$T fill --path /dev/vda --bytes {largest} || rc=1\n")
    body += _per_rate(rates, probe_bytes, "/dev/vdc",
                      f'$IN_CLIENT $T iscsi --url "iscsi://10.9.0.1:3260/$iqn" --sizes {",".join(sizes)} '
                      f"--repeat {repeat} --rate RATE")
    tests = _test_dir(work, binary, body)
    state = os.path.join(work, "lio-state")
    try:
        return _boot(["bash", os.path.join(GUEST_DIR, "lio-guest.sh"), "run", state, tests],
                     {"OFFLOAD_GUEST_VETH": "1"}, state)
    finally:
        subprocess.run(["bash", os.path.join(GUEST_DIR, "lio-guest.sh"), "down", state], capture_output=True)


def _bytes(size):
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    m = re.fullmatch(r"(\d+)(KiB|MiB|GiB)?", size)
    if not m:
        raise ValueError(f"--sizes: '{size}' is not N, NKiB, NMiB or NGiB")
    return int(m.group(1)) * units.get(m.group(2), 1)
