#!/usr/bin/env bash
# Loop-mounted test filesystems: XFS (reflink=1), btrfs, ext4 and a small
# ext4 for ENOSPC, each on a sparse image file under ROOT.
#   loopfs.sh up ROOT [SIZE]   mount ROOT/{xfs,btrfs,ext4} (SIZE each, default 3G) and ROOT/small (32M)
#   loopfs.sh down ROOT        unmount everything under ROOT, detach its loop devices, delete the images
# Exit 77 (skip) with a reason on stderr when loop mounts are impossible here.
set -uo pipefail

usage() { echo "usage: $0 up ROOT [SIZE] | down ROOT" >&2; exit 2; }
[ $# -ge 2 ] || usage
action=$1
root=$2
size=${3:-3G}

down() {
  local dir img loop
  for dir in xfs btrfs ext4 small; do
    if mountpoint -q "$root/$dir" 2>/dev/null; then
      umount "$root/$dir" 2>/dev/null || umount -l "$root/$dir" 2>/dev/null || true
    fi
  done
  for img in "$root"/images/*.img; do
    [ -e "$img" ] || continue
    for loop in $(losetup -j "$img" -O NAME -n 2>/dev/null); do losetup -d "$loop" 2>/dev/null || true; done
    rm -f "$img"
  done
  rmdir "$root"/images "$root"/xfs "$root"/btrfs "$root"/ext4 "$root"/small 2>/dev/null || true
}

skip() { echo "loopfs: SKIP: $*" >&2; down; exit 77; }

make_one() {  # name mkfs-command size
  local name=$1 mkfs=$2 bytes=$3 img="$root/images/$1.img"
  truncate -s "$bytes" "$img" || skip "cannot create $img"
  $mkfs "$img" >/dev/null 2>&1 || skip "$mkfs failed on $img"
  mkdir -p "$root/$name"
  mount -o loop "$img" "$root/$name" 2>/dev/null || skip "mount -o loop $img failed (needs root and loop devices)"
  chmod 1777 "$root/$name"
}

case "$action" in
  up)
    [ "$(id -u)" -eq 0 ] || skip "not root: loop mounts need root"
    for tool in mkfs.xfs mkfs.btrfs mkfs.ext4 losetup; do
      command -v "$tool" >/dev/null || skip "$tool not installed (run scripts/install-deps.sh)"
    done
    mkdir -p "$root/images"
    make_one xfs "mkfs.xfs -q -f -m reflink=1" "$size"
    make_one btrfs "mkfs.btrfs -q -f" "$size"
    make_one ext4 "mkfs.ext4 -q -F" "$size"
    make_one small "mkfs.ext4 -q -F" 32M
    ;;
  down) down ;;
  *) usage ;;
esac
