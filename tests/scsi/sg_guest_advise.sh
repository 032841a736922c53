#!/bin/sh
# `offload advise` on a LIO LUN (busybox sh, run in the LIO guest after
# sg_guest_test; OFFLOAD_LUN0_SD from lio-init.sh): a 64 MiB ext2
# filesystem (busybox mke2fs, the ext4 driver) made on LUN 0, a 1 MiB file
# advised into its directory. Its SCSI probe through SG_IO must name LIO's
# LUN with the standard INQUIRY's 3PC bit set, find no Third Party Copy VPD
# page 0x8F (LIO's target_core_spc.c lists none) and so no token copy
# (ODX), and offer EXTENDED COPY from the RECEIVE COPY RESULTS operating
# parameters: 31 MiB per command (one segment descriptor of at most 65535
# blocks of 512 B, inside LIO's 256 MB MAXIMUM SEGMENT LENGTH, in whole
# MiB). The recommendation is a local method (a file copy does not use the
# LUN's copy manager), here the host copy, the only one the host-only
# profile (/test/profile.json) calibrated. offload,
# offload-sim-run and their libraries come in /test and /test/root.
# Prints "sg-guest-advise: ok" or the first failure.
set -u
fail() { echo "sg-guest-advise: FAIL: $*"; exit 1; }
cp -a /test/root/. / || fail "cannot install the libraries of offload"
sd=$OFFLOAD_LUN0_SD
mke2fs -F "$sd" 65536 >/dev/null 2>&1 || fail "mke2fs $sd failed"
mkdir -p /mnt/lun0 && mount -t ext4 "$sd" /mnt/lun0 || fail "cannot mount $sd"
dd if=/dev/urandom of=/mnt/lun0/src bs=65536 count=16 2>/dev/null || fail "cannot write /mnt/lun0/src"
out=$(/test/offload advise /mnt/lun0/src /mnt/lun0 --profile /test/profile.json 2>&1)
rc=$?
umount /mnt/lun0
echo "$out" | sed "s/^/sg-guest-advise: /"
[ $rc -eq 0 ] || fail "offload advise exited $rc"
has() { echo "$out" | grep -qE "$1" || fail "$2"; }
has "^  block device: +${sd#/dev/} \\(SCSI\\)" "no SCSI block device line for $sd"
has "^  SCSI LUN: +LIO-ORG .*SG_IO standard INQUIRY on $sd: 3PC bit 1; VPD 0x8F absent" "LIO's LUN with its 3PC bit and no VPD 0x8F not found"
has "^  EXTENDED COPY: +yes, up to 31(\\.0)? MiB per command +RECEIVE COPY RESULTS operating parameters \\(GOOD\\)" \
  "EXTENDED COPY not offered with LIO's limit (31 MiB per command)"
has "^  token copy \\(ODX\\): +no +the LUN lists no Third Party Copy VPD page \\(0x8F\\)" "token copy not refused with the VPD reason"
has "^Recommended: host: " "not the host copy recommended"
echo "sg-guest-advise: ok"
