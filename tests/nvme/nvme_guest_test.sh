#!/usr/bin/env bash
# ctest nvme_guest: the engine on QEMU's emulated NVMe controllers through
# NVMe passthrough. Boots the NVMe guest (tests/targets/guest/nvme-guest.sh
# run) and runs the static nvme_guest_test there (Copy split by small
# limits at several sizes, every byte compared; the generic node; the
# recorded fallback on the legacy namespace without Copy limits; host vs
# Copy times). Prints the program's lines from the serial log.
# Then `offload cp` and `offload advise` themselves there (nvme_guest_cli.sh;
# offload, offload-sim-run and their shared libraries are copied into the guest).
# Skip 77 without QEMU; fail instead when OFFLOAD_REQUIRE_REAL_FS=1.
# Usage: nvme_guest_test.sh NVME_GUEST_TEST_BINARY OFFLOAD_BINARY
set -uo pipefail
binary=$1 offload=$2
here=$(cd "$(dirname "$0")" && pwd)
guest=$here/../targets/guest
skip_or_fail() {
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-0}" = 1 ]; then echo "nvme_guest: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): $*" >&2; exit 1; fi
  echo "nvme_guest: SKIP: $*" >&2; exit 77
}
if ldd "$binary" >/dev/null 2>&1; then echo "nvme_guest: FAIL: $binary is dynamically linked; the guest has no libraries" >&2; exit 1; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/offload-nvme-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/test" "$work/state"
cp "$binary" "$work/test/nvme_guest_test"
cp "$offload" "$(dirname "$offload")/offload-sim-run" "$work/test/"
cp "$here/../nfs/advise-client-profile.json" "$work/test/profile.json"   # offload advise's client constants (host only)
cp "$here/nvme_guest_cli.sh" "$work/test/cli.sh"
. "$guest/common.sh"
for program in "$offload" "$(dirname "$offload")/offload-sim-run"; do
  guest_copy_libraries "$program" "$work/test/root" || { echo "nvme_guest: FAIL: cannot gather the libraries of $program" >&2; exit 1; }
done
printf '#!/bin/sh\n./nvme_guest_test --gtest_color=no; rc=$?\nsh ./cli.sh || rc=1\nexit $rc\n' >"$work/test/run"
chmod +x "$work/test/run"
start=$SECONDS
"$guest/nvme-guest.sh" run "$work/state" "$work/test"; rc=$?
echo "guest total (initramfs, boot, tests, power off): $((SECONDS - start)) s"
grep -v '^\[ *[0-9]*\.[0-9]*\]' "$work/state/serial.log" 2>/dev/null | grep -v '^$' || true
[ $rc -eq 77 ] && skip_or_fail "the NVMe guest cannot start here (see above)"
if [ $rc -ne 0 ]; then echo "nvme_guest: FAIL: the tests in the guest failed (exit $rc)"; exit 1; fi
grep -q '\[  PASSED  \]' "$work/state/serial.log" || { echo "nvme_guest: FAIL: no gtest PASSED line"; exit 1; }
if grep -q '\[  SKIPPED \]' "$work/state/serial.log"; then echo "nvme_guest: FAIL: tests skipped inside the guest"; exit 1; fi
grep -q 'nvme-guest-cli: ok' "$work/state/serial.log" || { echo "nvme_guest: FAIL: offload cp in the guest"; exit 1; }
echo "nvme_guest: all in-guest tests passed"
