#!/usr/bin/env bash
# The host-mediated copy over a real NVMe/TCP fabric, the long version of the
# ctest nvme_tcp_guest: in the NVMe guest (tests/targets/guest/nvme-guest.sh,
# OFFLOAD_NVME_TCP=1) the Linux NVMe target (nvmet-tcp) exports a RAM disk
# over a veth pair shaped by tc tbf, the Linux NVMe/TCP host connects, and
# the engine copies within that namespace (auto: nvme-copy refused, ONCS bit
# 8 clear, then host Read/Write) at each size and rate, REPEAT times, every
# copy read back and compared. Writes the records (every repetition and the
# median) to OUT_JSON (default bench/nvme-tcp-guest.json, the file
# bench/README.md's table and the simulated fabric's host path come from)
# and prints that table.
#   bench/nvme_tcp_bench.sh BUILD_DIR [OUT_JSON]
#   SIZES (1MiB,4MiB,16MiB,64MiB)  REPEAT (5)  RATES ("unthrottled 1gbit 100mbit")
#   NODES ("block generic": the block node by ioctl, /dev/ngXnY by io_uring)
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [OUT_JSON]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-$here/nvme-tcp-guest.json}
[ -x "$build/tests/nvme_tcp_guest_test" ] || { echo "build nvme_tcp_guest_test first (cmake --build $build --target nvme_tcp_guest_test)" >&2; exit 2; }
OFFLOAD_GUEST_CACHE=${OFFLOAD_GUEST_CACHE:-$build/guest-cache} OFFLOAD_GUEST_RUN_TIMEOUT=${OFFLOAD_GUEST_RUN_TIMEOUT:-3000} OFFLOAD_GUEST_LIFETIME=${OFFLOAD_GUEST_LIFETIME:-3600} \
  /usr/bin/python3 "$here/../tests/nvme/nvme_tcp_guest.py" --test-binary "$build/tests/nvme_tcp_guest_test" \
  --work "$build/nvme-tcp-bench" --out "$out" --sizes "${SIZES:-1MiB,4MiB,16MiB,64MiB}" --repeat "${REPEAT:-5}" \
  --rates "${RATES:-unthrottled 1gbit 100mbit}" --nodes "${NODES:-block generic}" --ramdisk-mib 256
/usr/bin/python3 - "$out" <<'PY'
import json, re, sys
data = json.load(open(sys.argv[1]))
def floor_s(rate, size):
    # The link's floor: each direction carries the size once (reads one way,
    # writes the other); tc's kbit/mbit/gbit are 10^3/10^6/10^9 bit/s.
    m = re.fullmatch(r"(\d+)(kbit|mbit|gbit)", rate)
    return size * 8 / (int(m.group(1)) * {"kbit": 1e3, "mbit": 1e6, "gbit": 1e9}[m.group(2)]) if m else None
print("| link (tc tbf) | node | size | median s | MiB/s | min .. max s | link floor s | repetitions |")
print("|---|---|---:|---:|---:|---|---:|---:|")
for r in data["records"]:
    s, floor = r["seconds"], floor_s(r["rate"], r["size_bytes"])
    print(f"| {r['rate']} | {r.get('node', 'block')} | {r['size_bytes'] >> 20} MiB | {r['median_s']:.3f} | {r['median_MiB_per_s']:.1f} | "
          f"{min(s):.3f} .. {max(s):.3f} | {'-' if floor is None else f'{floor:.3f}'} | {r['repeat']} |")
PY
