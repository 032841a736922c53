#!/bin/sh
# `offload cp` itself on the SMB guest's mounts (busybox sh, run in the guest
# after smb_guest_test; OFFLOAD_SMB_* from smb-init.sh). Each copy reads
# back equal, and the command's lines say which SMB2 request carried the
# offload ("smb: METHOD ran on the server as REQUEST") or why the engine
# fell back ("fallback: ..." with the server's refusal or the cross-share
# reason). Prints "smb-guest-cli: ok" or the first failure.
set -u
offload=/test/offload
fail() { echo "smb-guest-cli: FAIL: $*"; exit 1; }
xfs=$OFFLOAD_SMB_XFS ext4=$OFFLOAD_SMB_EXT4
clone_line="smb: clone ran on the server as FSCTL_DUPLICATE_EXTENTS_TO_FILE"
copychunk_line="smb: kernel-copy ran on the server as FSCTL_SRV_COPYCHUNK_WRITE"
refused="fallback: clone -> kernel-copy for 1.00 MiB in 1 range(s) (EOPNOTSUPP): SMB server refused FSCTL_DUPLICATE_EXTENTS_TO_FILE (its filesystem cannot share extents, e.g. ext4, or it does not offer the request)"
cross_share="fallback: clone -> kernel-copy for 1.00 MiB in 1 range(s) (EXDEV): cross-share: FSCTL_DUPLICATE_EXTENTS_TO_FILE works within one share, and the files are on different SMB mounts"

# copy NAME SRC DST METHOD: runs offload cp, prints its lines, compares DST with SRC; $out holds the lines.
copy() {
  out=$($offload cp "$2" "$3" --method "$4" 2>&1) || fail "$1: offload cp exited $?: $out"
  echo "$out" | sed "s/^/smb-guest-cli: $1: /"
  cmp "$2" "$3" || fail "$1: $3 differs from $2"
}
has() { echo "$out" | grep -qxF "$2" || fail "$1: no line '$2'"; }
lacks() { ! echo "$out" | grep -q "$2" || fail "$1: an unexpected '$2' line"; }

dd if=/dev/urandom of="$xfs/cli-src" bs=65536 count=16 2>/dev/null || fail "cannot write $xfs/cli-src"
cp "$xfs/cli-src" "$ext4/cli-src" || fail "cannot write $ext4/cli-src"
copy clone "$xfs/cli-src" "$xfs/cli-clone" clone
has clone "$clone_line"; lacks clone "^fallback:"
copy copychunk "$xfs/cli-src" "$xfs/cli-copychunk" kernel-copy
has copychunk "$copychunk_line"; lacks copychunk "^fallback:"; lacks copychunk "DUPLICATE_EXTENTS"
copy host "$xfs/cli-src" "$xfs/cli-host" host
lacks host "^smb:"
copy ext4-auto "$ext4/cli-src" "$ext4/cli-auto" auto
has ext4-auto "$copychunk_line"; has ext4-auto "$refused"; lacks ext4-auto "$clone_line"
copy cross-share "$xfs/cli-src" "$ext4/cli-cross" auto
has cross-share "$copychunk_line"; has cross-share "$cross_share"
echo "smb-guest-cli: ok"
