#!/usr/bin/env bash
# Times host, copychunk and duplicate extents on 64 MiB in the SMB guest
# (tests/targets/guest/smb-guest.sh: ksmbd on XFS, the Linux SMB client over
# loopback), three repetitions, with smb_guest_test's three cases; prints
# one line per copy (IOCTLs, READ/WRITE, payload and wire bytes, seconds),
# then the same copies in the simulator (bench/smb-guest-fit.toml).
#   bench/smb_guest_bench.sh BUILD_DIR [OUT_DIR]
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [OUT_DIR]}" && pwd)
out=${2:-$build/smb-guest-bench}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"; mkdir -p "$out/test"
cp "$build/tests/smb_guest_test" "$out/test/"
cat >"$out/test/run" <<'RUN'
#!/bin/sh
for rep in 1 2 3; do
  OFFLOAD_SMB_FILE_BYTES=67108864 ./smb_guest_test --gtest_color=no \
    --gtest_filter='*HostMoves*:*KernelCopyIsCopychunk*:*CloneIsDuplicateExtents*' | grep -v "^\[ \|^$"
done
RUN
chmod +x "$out/test/run"
OFFLOAD_GUEST_CACHE=${OFFLOAD_GUEST_CACHE:-$build/guest-cache} bash "$here/../tests/targets/guest/smb-guest.sh" "$out/state" "$out/test"
grep '^OFFLOAD-SMB-RESULT' "$out/state/serial.log" | sed 's/^OFFLOAD-SMB-RESULT //' | /usr/bin/python3 -c '
import json, sys
row = "%3s %-12s %6s %5s %6s %10s %10s %8s"
print(row % ("rep", "method", "IOCTLs", "READs", "WRITEs", "payload B", "wire B", "seconds"))
for rep, line in enumerate(sys.stdin, 1):
    for name, c in json.loads(line)["cases"].items():
        q = c["requests"]
        print(row % (rep, name, q.get("IOCTLs", 0), q.get("Reads", 0), q.get("Writes", 0),
                     c["smb_bytes_read"] + c["smb_bytes_written"], c["wire_bytes"], "%.3f" % c["seconds"]))'
"$build/offload" sim "$here/smb-guest-fit.toml" --out "$out/sim"
