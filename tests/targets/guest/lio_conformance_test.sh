#!/usr/bin/env bash
# ctest lio_conformance: boots the LIO guest, checks each LUN's unit serial
# over iSCSI (iscsi-inq, page 0x80) and runs libiscsi's own conformance
# suites ExtendedCopy and ReceiveCopyResults.OpParams (iscsi-test-cu) on
# LUN 0; any failed test fails. (ReceiveCopyResults.CopyStatus is left out:
# LIO implements only the OPERATING PARAMETERS service action.)
# Skip 77 without QEMU; fail instead when OFFLOAD_REQUIRE_REAL_FS=1.
set -uo pipefail
here=$(dirname "$0")
skip_or_fail() {
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-0}" = 1 ]; then echo "lio_conformance: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): $*" >&2; exit 1; fi
  echo "lio_conformance: SKIP: $*" >&2; exit 77
}
command -v iscsi-test-cu >/dev/null && command -v iscsi-inq >/dev/null || skip_or_fail "libiscsi-bin not installed"
state=$(mktemp -d "${TMPDIR:-/tmp}/offload-lio.XXXXXX")
trap '"$here/lio-guest.sh" down "$state"; rm -rf "$state"' EXIT
"$here/lio-guest.sh" up "$state"; rc=$?
[ $rc -eq 77 ] && skip_or_fail "the LIO guest cannot start here (see above)"
[ $rc -eq 0 ] || exit 1
. "$state/env"

status=0
for lun in $LIO_LUNS; do
  want=$(eval echo "\$LIO_LUN${lun}_SERIAL")
  for try in 1 2; do   # the first command to a new LUN may meet UNIT ATTENTION: ask twice
    got=$(iscsi-inq -e 1 -c 128 "$LIO_URL/$lun" 2>&1 | sed -n 's/.*Unit Serial Number:\[\(.*\)\]/\1/p')
    [ "$got" = "$want" ] && break
  done
  if [ "$got" = "$want" ]; then echo "LUN $lun serial $got: ok"; else echo "LUN $lun serial '$got', expected '$want': FAIL"; status=1; fi
done

for suite in ALL.ExtendedCopy ALL.ReceiveCopyResults.OpParams; do
  out=$(timeout 300 iscsi-test-cu --dataloss -t "$suite" "$LIO_URL/0" 2>&1)
  echo "$out" | sed -n '/^Suite:/,$p'
  # The "tests" row of CUnit's summary: Total Ran Passed Failed Inactive.
  read -r total ran passed failed _ < <(echo "$out" | awk '$1 == "tests" {print $2, $3, $4, $5, $6}')
  if [ -n "${ran:-}" ] && [ "$ran" -gt 0 ] && [ "$failed" = 0 ] && [ "$passed" = "$ran" ]; then
    echo "$suite: $passed/$ran passed"
  else
    echo "$suite: FAIL (total=${total:-?} ran=${ran:-?} passed=${passed:-?} failed=${failed:-?})"; status=1
  fi
done
exit $status
