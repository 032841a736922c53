#!/usr/bin/env bash
# ctest tgt_cp: `offload cp` between two LUNs of a real tgt iSCSI target on
# host loopback (tgt has no copy offload). auto falls back from scsi-xcopy
# to host READ/WRITE and says why (the device's INVALID OPERATION CODE);
# a pinned scsi-xcopy fails at once with that reason and writes nothing;
# data is verified by reading both LUNs back through libiscsi; bad ranges
# and addresses fail with one clear line. Skip 77 when tgtd cannot start;
# fail instead when OFFLOAD_REQUIRE_REAL_FS=1.
# Usage: tgt_cp_test.sh OFFLOAD ISCSI_LUN_TOOL
set -uo pipefail
offload=$1 tool=$2
here=$(cd "$(dirname "$0")" && pwd)
state=$(mktemp -d "${TMPDIR:-/tmp}/offload-tgt.XXXXXX")
trap '"$here/../targets/tgt.sh" down "$state"; rm -rf "$state"' EXIT
"$here/../targets/tgt.sh" up "$state" 64M; rc=$?
if [ $rc -ne 0 ]; then
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-0}" = 1 ]; then echo "tgt_cp: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): tgtd could not start" >&2; exit 1; fi
  [ $rc -eq 77 ] && exit 77
  exit 1
fi
. "$state/env"
src=$TGT_URL/1 dst=$TGT_URL/2
MiB=1048576

passed=0; failed=0
ok() { if "$@"; then passed=$((passed + 1)); echo "ok   $*"; else failed=$((failed + 1)); echo "FAIL $*"; fi; }
contains() { [[ "$1" == *"$2"* ]] || { echo "  missing '$2' in: $1"; return 1; }; }
expect_error() {  # description, text the one-line message must contain, command...
  local what=$1 text=$2; shift 2
  local out rc lines
  out=$("$@" 2>&1 >/dev/null); rc=$?
  lines=$(printf '%s' "$out" | grep -c '')
  if [ "$rc" -eq 1 ] && [[ "$out" == *"$text"* ]] && [ "$lines" -eq 1 ]; then
    passed=$((passed + 1)); echo "ok   $what: $out"
  else
    failed=$((failed + 1)); echo "FAIL $what: exit $rc, message: $out"
  fi
}

ok "$tool" fill "$src" 0 $((32 * MiB)) 11
ok "$tool" info "$src"

# auto: scsi-xcopy is tried first, refused with the device's answer, host copies.
out=$("$offload" cp "$src" "$dst" --length 32MiB --method auto 2>&1); rc=$?
echo "$out"
ok test "$rc" -eq 0
ok contains "$out" "via host"
ok contains "$out" "fallback: scsi-xcopy -> host for 32.0 MiB in "   # one range per operation in flight
ok contains "$out" "(EOPNOTSUPP): the source LUN cannot run EXTENDED COPY"
ok contains "$out" "INVALID COMMAND OPERATION CODE"
ok "$tool" check "$dst" 0 $((32 * MiB)) 11
ok "$tool" compare "$src" 0 "$dst" 0 $((32 * MiB))

# The same in JSON: the fallback record and no bytes kept off the host.
json=$("$offload" cp "$src" "$dst" --length 8MiB --json)
ok /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["state"] == "done" and d["bytes_done"] == 8 << 20 and d["methods_used"] == "host", d
f = d["fallbacks"][0]
assert f["from"] == "scsi-xcopy" and f["to"] == "host" and f["errno"] == "EOPNOTSUPP", f
assert "INVALID COMMAND OPERATION CODE" in f["detail"], f
assert d["host_bytes_not_moved"] == 0 and d["source_fs"] == "iscsi:IET", d' "$json"

# Pinned scsi-xcopy: fails at submit with the reason and writes nothing.
ok "$tool" fill "$dst" $((40 * MiB)) $((8 * MiB)) 22
expect_error "pinned scsi-xcopy on tgt" "scsi-xcopy is not possible" \
  "$offload" cp "$src" "$dst" --length 8MiB --destination-offset 40MiB --method scsi-xcopy
out=$("$offload" cp "$src" "$dst" --length 8MiB --destination-offset 40MiB --method scsi-xcopy 2>&1)
ok contains "$out" "INVALID COMMAND OPERATION CODE"
ok contains "$out" "(EOPNOTSUPP)"
ok "$tool" check "$dst" $((40 * MiB)) $((8 * MiB)) 22

# Ranges: offsets on both sides, and a copy within one LUN.
ok "$offload" cp "$src" "$dst" --source-offset 4MiB --length 1MiB --destination-offset 50MiB --method host
ok "$tool" compare "$src" $((4 * MiB)) "$dst" $((50 * MiB)) $((1 * MiB))
ok "$offload" cp "$src" "$src" --length 4MiB --destination-offset 48MiB
ok "$tool" compare "$src" 0 "$src" $((48 * MiB)) $((4 * MiB))

# Bad input: one line naming the address and the cause.
expect_error "overlap within one LUN" "same LUN and the ranges overlap" "$offload" cp "$src" "$src" --length 4MiB --destination-offset 2MiB
expect_error "partial block" "whole 512-byte blocks" "$offload" cp "$src" "$dst" --length 1000
expect_error "past the end" "ends past the end of the LUN" "$offload" cp "$src" "$dst" --source-offset 60MiB --length 8MiB
expect_error "destination too small" "past the end of the destination LUN" "$offload" cp "$src" "$dst" --length 8MiB --destination-offset 60MiB
expect_error "bad LUN number" "is not a number" "$offload" cp "$TGT_URL/x" "$dst"
expect_error "no such LUN" "LUN 7 is not on" "$offload" cp "$TGT_URL/7" "$dst"
expect_error "nobody listening" "Connection refused" "$offload" cp "iscsi://127.0.0.1:1/$TGT_IQN/1" "$dst"
expect_error "file and LUN mixed" "both ends must be LUNs or both files" "$offload" cp "$state/env" "$dst"
expect_error "clone on a LUN" "works on files, not on LUNs" "$offload" cp "$src" "$dst" --method clone

echo "tgt_cp: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
