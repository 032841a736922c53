#!/bin/sh
# `offload cp` itself on the NVMe guest's namespaces (busybox sh, run in the
# guest after nvme_guest_test; OFFLOAD_NVME_* from nvme-init.sh): a copy
# within the namespace with limits goes by nvme-copy only and reads back
# equal, and so does one through the generic node, by io_uring (the status
# records nvme-uring); on the legacy namespace (Copy limits 0) auto prints
# the recorded fallback and reads back equal, and a pinned nvme-copy fails with exit 1
# naming the reason; `offload compare --device` verifies every method there.
# Then `offload advise` on a file of an ext2 filesystem (busybox mke2fs,
# the ext4 driver) made on the namespace with large Copy limits and on the
# legacy one: its NVMe probe (Identify Controller ONCS bit 8, Identify
# Namespace MSSRL / MCL / MSRC through passthrough) must report the limits
# QEMU was given and the bytes one Copy may move, or "no" on the legacy
# namespace; the recommendation is a local method (a file copy does not
# use the namespace's Copy command), here the host copy, the only one the
# host-only profile (/test/profile.json) calibrated.
# Prints "nvme-guest-cli: ok" or the first failure.
set -u
offload=/test/offload
fail() { echo "nvme-guest-cli: FAIL: $*"; exit 1; }
# md5 of COUNT MiB at SKIP MiB of DEVICE, read past the page cache.
range_md5() { echo 3 >/proc/sys/vm/drop_caches; dd if="$1" bs=1048576 skip="$2" count="$3" 2>/dev/null | md5sum | cut -d' ' -f1; }

ns=$OFFLOAD_NVME_COPY legacy=$OFFLOAD_NVME_LEGACY
dd if=/dev/urandom of="$ns" bs=1048576 seek=40 count=4 conv=fsync 2>/dev/null || fail "cannot write $ns"
json=$($offload cp "$ns" "$ns" --source-offset 40MiB --destination-offset 80MiB --length 4MiB --json) || fail "offload cp on $ns failed: $json"
echo "$json" | grep -q '"nvme-copy": 4194304' || fail "not all 4 MiB by nvme-copy: $json"
echo "$json" | grep -q '"host": 0' || fail "host bytes in an nvme-copy: $json"
[ "$(range_md5 "$ns" 40 4)" = "$(range_md5 "$ns" 80 4)" ] || fail "$ns: the copy differs from its source"
echo "nvme-guest-cli: offload cp $ns (4 MiB): by nvme-copy, read back equal"

# The generic node: the same copy through io_uring, the choice in the status.
ng=$OFFLOAD_NVME_COPY_NG
json=$($offload cp "$ng" "$ng" --source-offset 40MiB --destination-offset 100MiB --length 1MiB --json) || fail "offload cp on $ng failed: $json"
echo "$json" | grep -q '"source_fs": "nvme-uring:' || fail "offload cp on $ng did not record io_uring: $json"
[ "$(range_md5 "$ns" 40 1)" = "$(range_md5 "$ns" 100 1)" ] || fail "$ng: the copy differs from its source"
echo "nvme-guest-cli: offload cp $ng (1 MiB): through io_uring (nvme-uring), read back equal"

dd if=/dev/urandom of="$legacy" bs=1048576 count=2 conv=fsync 2>/dev/null || fail "cannot write $legacy"
out=$($offload cp "$legacy" "$legacy" --destination-offset 32MiB --length 2MiB 2>&1) || fail "offload cp on $legacy failed: $out"
echo "$out"
echo "$out" | grep -q 'fallback: nvme-copy -> host' || fail "no recorded fallback on $legacy"
echo "$out" | grep -q 'limits of 0' || fail "the fallback does not say why"
[ "$(range_md5 "$legacy" 0 2)" = "$(range_md5 "$legacy" 32 2)" ] || fail "$legacy: the copy differs from its source"
out=$($offload cp "$legacy" "$legacy" --destination-offset 40MiB --length 1MiB --method nvme-copy 2>&1)
rc=$?
echo "$out"
[ $rc -eq 1 ] || fail "pinned nvme-copy on $legacy exited $rc, not 1"
echo "$out" | grep -q 'nvme-copy is not possible' || fail "pinned nvme-copy: no reason given"
# offload compare within the namespace: every method verified, nvme-copy by Copy.
out=$($offload compare --device "$ns" --size 4MiB --methods host --methods nvme-copy --methods auto --repeat 1 2>&1) ||
  fail "offload compare --device $ns failed: $out"
echo "$out"
[ "$(echo "$out" | grep -c 'ok, verified')" -eq 3 ] || fail "offload compare: not 3 verified rows"
echo "$out" | grep -qE ' nvme-copy .* nvme-copy +ok, verified' || fail "offload compare: the nvme-copy row did not go by nvme-copy"

# advise NAME DEVICE: mke2fs on DEVICE, mount it, `offload advise` a 1 MiB file into its directory; $out holds the text.
advise() {
  mke2fs -F -q "$2" >/dev/null 2>&1 || mke2fs -F "$2" >/dev/null || fail "advise $1: mke2fs $2 failed"
  mkdir -p "/mnt/$1" && mount -t ext4 "$2" "/mnt/$1" || fail "advise $1: cannot mount $2"
  dd if=/dev/urandom of="/mnt/$1/src" bs=65536 count=16 2>/dev/null || fail "advise $1: cannot write /mnt/$1/src"
  out=$($offload advise "/mnt/$1/src" "/mnt/$1" --profile /test/profile.json 2>&1)
  rc=$?
  umount "/mnt/$1"
  echo "$out" | sed "s/^/nvme-guest-cli: advise $1: /"
  [ $rc -eq 0 ] || fail "advise $1: offload advise exited $rc"
  echo "$out" | grep -qE "^  block device: +${2#/dev/} \(NVMe\)" || fail "advise $1: no NVMe block device line for $2"
  echo "$out" | grep -qE "^Recommended: host: " || fail "advise $1: not the host copy recommended"
}
big=$OFFLOAD_NVME_BIG
advise big "$big"
echo "$out" | grep -qE "^  NVMe Copy: +yes, up to 32(\.0)? MiB per command +Identify on $big .*ONCS 0x[0-9a-f]+ \(bit 8 Copy set\), MSSRL $OFFLOAD_NVME_BIG_MSSRL MCL $OFFLOAD_NVME_BIG_MCL MSRC $OFFLOAD_NVME_BIG_MSRC blocks of 512 B" ||
  fail "advise big: not the limits QEMU was given (MCL $OFFLOAD_NVME_BIG_MCL x 512 B = 32 MiB per Copy)"
advise legacy "$legacy"
echo "$out" | grep -qE "^  NVMe Copy: +no +Identify on $legacy .* MSSRL 0 MCL 0 MSRC 0 " ||
  fail "advise legacy: the namespace without Copy limits is not reported as no Copy"
echo "nvme-guest-cli: ok"
