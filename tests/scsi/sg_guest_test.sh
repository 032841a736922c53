#!/usr/bin/env bash
# ctest sg_guest: the engine on local SCSI disks through SG_IO. Boots the LIO
# guest with its loopback fabric (tests/targets/guest/lio-guest.sh run), so
# the fileio LUNs are /dev/sdX and /dev/sgN in the guest, and runs the static
# sg_guest_test there (scsi-xcopy between LUNs, split, within one LUN, the
# equal-NAA trap, host copies, bad addresses; data read back through the
# block nodes). Then `offload advise` on a filesystem on LUN 0
# (sg_guest_advise.sh: the SCSI probe on a real LIO LUN). Prints the
# program's lines from the serial log.
# Skip 77 without QEMU; fail instead when OFFLOAD_REQUIRE_REAL_FS=1.
# Usage: sg_guest_test.sh SG_GUEST_TEST_BINARY OFFLOAD_BINARY
set -uo pipefail
binary=$1 offload=$2
here=$(cd "$(dirname "$0")" && pwd)
guest=$here/../targets/guest
skip_or_fail() {
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-0}" = 1 ]; then echo "sg_guest: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): $*" >&2; exit 1; fi
  echo "sg_guest: SKIP: $*" >&2; exit 77
}
if ldd "$binary" >/dev/null 2>&1; then echo "sg_guest: FAIL: $binary is dynamically linked; the guest has no libraries" >&2; exit 1; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/offload-sg-guest.XXXXXX")
trap '"$guest/lio-guest.sh" down "$work/state" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/test" "$work/state"
cp "$binary" "$work/test/sg_guest_test"
cp "$offload" "$(dirname "$offload")/offload-sim-run" "$here/sg_guest_advise.sh" "$work/test/"
cp "$here/../nfs/advise-client-profile.json" "$work/test/profile.json"   # offload advise's client constants (host only)
. "$guest/common.sh"
for program in "$offload" "$(dirname "$offload")/offload-sim-run"; do
  guest_copy_libraries "$program" "$work/test/root" || { echo "sg_guest: FAIL: cannot gather the libraries of $program" >&2; exit 1; }
done
printf '#!/bin/sh\n./sg_guest_test --gtest_color=no; rc=$?\nsh ./sg_guest_advise.sh || rc=1\nexit $rc\n' >"$work/test/run"
chmod +x "$work/test/run"
start=$SECONDS
"$guest/lio-guest.sh" run "$work/state" "$work/test"; rc=$?
echo "guest total (initramfs, boot, tests, power off): $((SECONDS - start)) s"
# The program's own output and the guest's status lines, not the kernel's.
grep -v '^\[ *[0-9]*\.[0-9]*\]' "$work/state/serial.log" 2>/dev/null | grep -v '^$' || true
[ $rc -eq 77 ] && skip_or_fail "the LIO guest cannot start here (see above)"
if [ $rc -ne 0 ]; then echo "sg_guest: FAIL: the tests in the guest failed (exit $rc)"; exit 1; fi
grep -q '\[  PASSED  \]' "$work/state/serial.log" || { echo "sg_guest: FAIL: no gtest PASSED line"; exit 1; }
if grep -q '\[  SKIPPED \]' "$work/state/serial.log"; then echo "sg_guest: FAIL: tests skipped inside the guest"; exit 1; fi
grep -q 'sg-guest-advise: ok' "$work/state/serial.log" || { echo "sg_guest: FAIL: offload advise on the LIO LUN"; exit 1; }
echo "sg_guest: all in-guest tests passed; offload advise probed the LIO LUN's EXTENDED COPY"
