"""NVMe over TCP in the NVMe guest (tests/targets/guest/nvme-guest.sh run with
OFFLOAD_NVME_TCP=1): runs the static nvme_tcp_guest_test there (ONCS bit 8
clear over the fabric, the recorded fallback to host, the refused pinned
nvme-copy) and times the host-mediated copy at each size and link rate
(tests/nvme/nvme_tcp_run.sh). Writes the timings to --out (JSON: one record
per rate and size with every repetition's seconds and the median).

The ctest nvme_tcp_guest runs a short version; bench/nvme_tcp_bench.sh the
long one. Exit codes follow ctest's: 1 fail, 77 skip (a failure instead
when OFFLOAD_REQUIRE_REAL_FS=1).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from guest_run import skip_or_fail  # noqa: E402

TEST = "nvme_tcp_guest"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test-binary", required=True, help="the static nvme_tcp_guest_test")
    parser.add_argument("--work", required=True, help="folder for the guest's state (emptied first)")
    parser.add_argument("--out", required=True, help="JSON file for the timings")
    parser.add_argument("--sizes", default="1MiB,4MiB", help="copy sizes, comma-separated (KiB/MiB)")
    parser.add_argument("--repeat", type=int, default=3, help="copies per size and rate (the median is reported)")
    parser.add_argument("--rates", default="unthrottled 1gbit", help="tc tbf rates, space-separated")
    parser.add_argument("--nodes", default="block",
                        help="'block' (ioctl passthrough), 'generic' (/dev/ngXnY, io_uring), or both, space-separated")
    parser.add_argument("--ramdisk-mib", type=int, default=64, help="size of the exported RAM disk (MiB)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    ldd = subprocess.run(["ldd", args.test_binary], capture_output=True, text=True)
    if "not a dynamic executable" not in ldd.stdout + ldd.stderr:
        print(f"{TEST}: FAIL: {args.test_binary} is dynamically linked; the guest has no libraries")
        return 1
    shutil.rmtree(args.work, ignore_errors=True)
    tests, state = os.path.join(args.work, "test"), os.path.join(args.work, "state")
    os.makedirs(tests)
    shutil.copy(args.test_binary, os.path.join(tests, "nvme_tcp_guest_test"))
    shutil.copy(os.path.join(HERE, "nvme_tcp_run.sh"), os.path.join(tests, "run"))
    os.chmod(os.path.join(tests, "run"), 0o755)
    with open(os.path.join(tests, "params"), "w") as f:
        f.write(f"SIZES='{args.sizes}'\nREPEAT={args.repeat}\nRATES='{args.rates}'\nNODES='{args.nodes}'\n")

    env = {**os.environ, "OFFLOAD_NVME_TCP": "1", "OFFLOAD_NVME_TCP_MIB": str(args.ramdisk_mib)}
    load_before = open("/proc/loadavg").read().split()[:3]
    start = time.monotonic()
    proc = subprocess.run(["bash", os.path.join(HERE, "..", "targets", "guest", "nvme-guest.sh"), "run", state, tests], env=env)
    print(f"guest total (initramfs, boot, tests, power off): {time.monotonic() - start:.1f} s")
    path = os.path.join(state, "serial.log")
    log = open(path, errors="replace").read() if os.path.exists(path) else ""
    print("\n".join(line for line in log.splitlines() if line and not re.match(r"^\[\s*\d+\.\d+\]", line)))
    if proc.returncode == 77:
        skip_or_fail(TEST, "the NVMe guest cannot start here (see above)")
    oops = re.search(r"^\[\s*[\d.]+\] (kernel BUG .*|BUG: .*|Oops: .*|.*usercopy: .*)$", log, re.M)
    if oops:
        print(f"{TEST}: FAIL: the guest kernel reported '{oops.group(1).strip()}' (trace in {path})")
        return 1
    if proc.returncode != 0:
        print(f"{TEST}: FAIL: the tests in the guest failed (exit {proc.returncode}); serial log {path}")
        return 1
    if "[  PASSED  ]" not in log or "[  SKIPPED ]" in log:
        print(f"{TEST}: FAIL: the gtest checks in the guest did not all run and pass")
        return 1
    records = [json.loads(m) for m in re.findall(r"^OFFLOAD-NVME-TCP (\{.*\})\s*$", log, re.M)]
    expected = len(args.sizes.split(",")) * len(args.rates.split()) * len(args.nodes.split())
    if len(records) != expected:
        print(f"{TEST}: FAIL: {len(records)} timing records, expected {expected} (sizes x rates x nodes)")
        return 1
    guest = re.search(r"OFFLOAD-GUEST: nvme-tcp: (.*)", log)
    result = {"what": "host-mediated copy within one NVMe/TCP namespace (Linux nvmet + nvme-tcp over a veth pair "
                      "in a TCG guest; auto: nvme-copy refused, ONCS bit 8 clear, then host Read/Write)",
              "guest": guest.group(1).strip() if guest else "", "smp": int(os.environ.get("OFFLOAD_GUEST_SMP", "2")),
              "host_load_average_before_after": [load_before, open("/proc/loadavg").read().split()[:3]],
              "measured_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()), "records": records}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"{TEST}: {len(records)} timings in {args.out}")
    for r in records:
        print(f"{TEST}: {r['rate']:>12} {r['node']:>8} {r['size_bytes'] >> 10:>8} KiB  median {r['median_s']:.3f} s "
              f"({r['median_MiB_per_s']:.1f} MiB/s) over {r['repeat']}, by {r['method']} [{r['transport']}]")
    print(f"{TEST}: all in-guest checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
