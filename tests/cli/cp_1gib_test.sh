#!/usr/bin/env bash
# `offload cp` moves 1 GiB through each method on XFS, btrfs and ext4, and
# every byte is verified with cmp. Clone on ext4 must fail clearly.
# Usage: cp_1gib_test.sh OFFLOAD_BINARY [SIZE]
set -uo pipefail
offload=$1
size=${2:-1G}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d /tmp/offload-cp1g-XXXXXX)
cleanup() { "$here/../targets/loopfs.sh" down "$root"; rmdir "$root" 2>/dev/null; }
trap cleanup EXIT

"$here/../targets/loopfs.sh" up "$root" 3G
rc=$?
if [ $rc -eq 77 ]; then
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-}" = 1 ]; then echo "FAIL: OFFLOAD_REQUIRE_REAL_FS=1 but loop mounts are impossible"; exit 1; fi
  exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: loopfs up exited $rc"; exit 1; }

passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}

head -c "$size" /dev/urandom > "$root/xfs/src" || exit 1
for fs in xfs btrfs ext4; do
  [ "$fs" = xfs ] || cp --reflink=never "$root/xfs/src" "$root/$fs/src"
  for method in host kernel-copy clone auto; do
    out=$("$offload" cp "$root/$fs/src" "$root/$fs/dst-$method" --method "$method" 2>&1)
    rc=$?
    if [ "$fs" = ext4 ] && [ "$method" = clone ]; then
      check "$fs $method fails: $out" bash -c "[ $rc -eq 1 ] && [[ '$out' == *EOPNOTSUPP* ]] && [ ! -e '$root/$fs/dst-$method' ]"
      continue
    fi
    echo "     $fs $method: $out"
    check "$fs $method exit 0" [ $rc -eq 0 ]
    check "$fs $method bytes equal" cmp -s "$root/$fs/src" "$root/$fs/dst-$method"
    rm -f "$root/$fs/dst-$method"
  done
done
# Across filesystems, auto falls back (and says so); clone refuses.
out=$("$offload" cp "$root/xfs/src" "$root/btrfs/cross" 2>&1)
echo "     xfs->btrfs auto: $out"
check "cross-fs auto reports its fallback" bash -c "[[ '$out' == *'fallback: clone'*EXDEV* ]]"
check "cross-fs auto bytes equal" cmp -s "$root/xfs/src" "$root/btrfs/cross"
out=$("$offload" cp "$root/xfs/src" "$root/btrfs/cross-clone" --method clone 2>&1)
check "cross-fs clone fails with EXDEV: $out" bash -c "[[ '$out' == *EXDEV* ]] && [ ! -e '$root/btrfs/cross-clone' ]"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
