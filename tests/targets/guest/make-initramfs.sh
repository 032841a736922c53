#!/usr/bin/env bash
# Builds a gzip'd newc initramfs: static busybox, the given kernel modules
# and everything they depend on (insmod order from modprobe --show-depends,
# listed in /etc/modules.order), the files under each -d DIR, and INIT as /init.
#   make-initramfs.sh OUT.gz INIT [-d DIR]... MODULE...
# Needs fetch-kernel.sh first. Exit 77 when busybox-static/cpio are missing.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -ge 2 ] || { echo "usage: $0 OUT.gz INIT [-d DIR]... MODULE..." >&2; exit 2; }
out=$1 init=$2; shift 2
extra=()
while [ $# -gt 0 ] && [ "$1" = -d ]; do extra+=("$2"); shift 2; done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || guest_skip "static busybox missing (install busybox-static)"
command -v cpio >/dev/null || guest_skip "cpio missing"
version=$(guest_kernel_version)
[ -n "$version" ] || { echo "make-initramfs: no kernel in $guest_kernel_dir (run fetch-kernel.sh)" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/offload-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,lib/modules}
cp "$busybox" "$root/bin/busybox"; ln -s busybox "$root/bin/sh"
cp "$init" "$root/init"; chmod +x "$root/init"
cp "$guest_src_dir/guest-lib.sh" "$root/lib/guest-lib.sh"

# Dependency order, each module once, first occurrence wins.
: >"$root/etc/modules.order"
for module in "$@"; do
  modprobe -d "$guest_kernel_dir" -S "$version" --show-depends "$module" \
    | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' | while read -r ko; do
  # Newer Debian kernels ship modules xz-compressed; busybox insmod wants them plain.
  case $ko in
    *.ko.xz) name=$(basename "$ko" .xz); xz -dc "$ko" >"$root/lib/modules/$name" ;;
    *) name=$(basename "$ko"); cp "$ko" "$root/lib/modules/" ;;
  esac
  echo "$name" >>"$root/etc/modules.order"
done
for dir in "${extra[@]}"; do cp -a "$dir"/. "$root"/; done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
