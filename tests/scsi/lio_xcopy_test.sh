#!/usr/bin/env bash
# ctest lio_xcopy: `offload cp --method scsi-xcopy` against Linux LIO (the
# kernel iSCSI target, EXTENDED COPY LID1) booted in QEMU by
# tests/targets/guest/lio-guest.sh, every copy verified by reading the LUNs
# back through libiscsi:
#   - 512 MiB between two LUNs (> LIO's 256 MiB segment limit: split into
#     one command per 31 MiB), all by XCOPY, bytes not through the host reported;
#   - within one LUN, a range longer than 256 MiB and not a multiple of a MiB;
#   - LIO's NAA trap (LUNs 2 and 3 report the same designator): refused
#     before copying when pinned, a recorded host fallback in auto; no LUN
#     is written by XCOPY; an unchecked EXTENDED COPY between them (sent by
#     iscsi_lun_tool) returns GOOD and leaves the destination unwritten.
# Skip 77 without QEMU; fail instead when OFFLOAD_REQUIRE_REAL_FS=1.
# Usage: lio_xcopy_test.sh OFFLOAD ISCSI_LUN_TOOL
set -uo pipefail
offload=$1 tool=$2
here=$(cd "$(dirname "$0")" && pwd)
guest=$here/../targets/guest
skip_or_fail() {
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-0}" = 1 ]; then echo "lio_xcopy: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): $*" >&2; exit 1; fi
  echo "lio_xcopy: SKIP: $*" >&2; exit 77
}
state=$(mktemp -d "${TMPDIR:-/tmp}/offload-lio-xcopy.XXXXXX")
trap '"$guest/lio-guest.sh" down "$state"; rm -rf "$state"' EXIT
"$guest/lio-guest.sh" up "$state"; rc=$?
[ $rc -eq 77 ] && skip_or_fail "the LIO guest cannot start here (see above)"
[ $rc -eq 0 ] || exit 1
. "$state/env"
MiB=1048576

passed=0; failed=0
ok() { if "$@"; then passed=$((passed + 1)); echo "ok   $*"; else failed=$((failed + 1)); echo "FAIL $*"; fi; }
contains() { [[ "$1" == *"$2"* ]] || { echo "  missing '$2' in: $1"; return 1; }; }
json_check() {  # JSON, python expression over d
  /usr/bin/python3 -c 'import json, math, sys; d = json.loads(sys.argv[1]); ok = eval(sys.argv[2]); print(sys.argv[2], "->", ok); sys.exit(0 if ok else 1)' "$1" "$2"
}
designator() { "$tool" info "$1" | sed -n 's/^designator //p'; }

# 0 -> 1: 512 MiB by EXTENDED COPY only.
ok "$tool" fill "$LIO_URL/0" 0 $((512 * MiB)) 101
json=$("$offload" cp "$LIO_URL/0" "$LIO_URL/1" --length 512MiB --method scsi-xcopy --json); rc=$?
echo "$json"
ok test "$rc" -eq 0
ok json_check "$json" 'd["state"] == "done" and d["bytes_by_method"]["scsi-xcopy"] == 512 << 20 and d["bytes_by_method"]["host"] == 0'
ok json_check "$json" 'd["host_bytes_not_moved"] == 512 << 20 and d["fallbacks"] == []'
# One EXTENDED COPY per 31 MiB (LIO: 1 segment of at most 256 MiB and 65,535 blocks): map + 17 + finish.
ok json_check "$json" 'd["operations"] == 1 + math.ceil(512 / 31) + 1'
ok "$tool" check "$LIO_URL/1" 0 $((512 * MiB)) 101

# The text report says where the bytes went: none through the host.
out=$("$offload" cp "$LIO_URL/0" "$LIO_URL/1" --length 64MiB --destination-offset 900MiB --method scsi-xcopy 2>&1)
echo "$out"
ok contains "$out" "via scsi-xcopy"
ok contains "$out" "bytes through user space: 0 B; through host memory: 0 B; not through the host: 64.0 MiB (shared extents or the array copied them)"
ok "$tool" check "$LIO_URL/1" $((900 * MiB)) $((64 * MiB)) 101

# Within LUN 0: 270,000,128 bytes (> 256 MiB, not whole MiB) to offset 700 MiB.
ok "$offload" cp "$LIO_URL/0" "$LIO_URL/0" --length 270000128 --destination-offset 700MiB --method scsi-xcopy
ok "$tool" check "$LIO_URL/0" $((700 * MiB)) 270000128 101
ok "$tool" check "$LIO_URL/0" 0 $((16 * MiB)) 101

# The NAA trap: LUNs 2 and 3 are different LUNs with one designator.
d2=$(designator "$LIO_URL/2"); d3=$(designator "$LIO_URL/3")
echo "LUN 2 designator $d2, LUN 3 designator $d3"
ok test -n "$d2" -a "$d2" = "$d3"
ok "$tool" fill "$LIO_URL/2" 0 $((16 * MiB)) 2
ok "$tool" fill "$LIO_URL/3" 0 $((8 * MiB)) 3
ok "$tool" fill "$LIO_URL/3" $((8 * MiB)) $((8 * MiB)) 4
out=$("$offload" cp "$LIO_URL/2" "$LIO_URL/3" --length 8MiB --method scsi-xcopy 2>&1); rc=$?
echo "$out"
ok test "$rc" -eq 1
ok contains "$out" "report the same LUN designator $d2"
ok contains "$out" "refusing it (EINVAL)"
ok "$tool" check "$LIO_URL/2" 0 $((16 * MiB)) 2
ok "$tool" check "$LIO_URL/3" 0 $((8 * MiB)) 3
ok "$tool" check "$LIO_URL/3" $((8 * MiB)) $((8 * MiB)) 4
out=$("$offload" cp "$LIO_URL/2" "$LIO_URL/3" --length 8MiB 2>&1); rc=$?
echo "$out"
ok test "$rc" -eq 0
ok contains "$out" "via host"
ok contains "$out" "fallback: scsi-xcopy -> host for 8.00 MiB"
ok contains "$out" "same LUN designator"
ok "$tool" check "$LIO_URL/3" 0 $((8 * MiB)) 2
ok "$tool" check "$LIO_URL/3" $((8 * MiB)) $((8 * MiB)) 4
ok "$tool" check "$LIO_URL/2" 0 $((16 * MiB)) 2

# What the refusal prevents: one unchecked EXTENDED COPY from LUN 2 to LUN 3
# returns GOOD, yet LUN 3 is not written (LIO resolves both ids to one LUN).
ok "$tool" raw-xcopy "$LIO_URL/2" "$LIO_URL/3" 0 $((12 * MiB)) $((4 * MiB))
ok "$tool" check "$LIO_URL/3" $((8 * MiB)) $((8 * MiB)) 4
if "$tool" check "$LIO_URL/2" $((12 * MiB)) $((4 * MiB)) 2 >/dev/null; then echo "the unchecked XCOPY wrote LUN 2 (the source) at 12 MiB"; fi

echo "lio_xcopy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
