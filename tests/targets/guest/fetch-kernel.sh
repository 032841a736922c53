#!/usr/bin/env bash
# Downloads Debian's current kernel image package (apt-get download; from
# $OFFLOAD_GUEST_SUITE when set) and unpacks it (dpkg-deb -x) into
# $OFFLOAD_GUEST_CACHE/kernel[-SUITE]: boot/vmlinuz-V
# and lib/modules/V with depmod run. Does nothing when already there.
# Exit 77 when apt cannot download it here.
set -euo pipefail
. "$(dirname "$0")/common.sh"

version=$(guest_kernel_version)
if [ -n "$version" ] && [ -e "$guest_kernel_dir/boot/vmlinuz-$version" ] \
   && [ -e "$guest_kernel_dir/lib/modules/$version/modules.dep" ]; then
  echo "$guest_kernel_dir"; exit 0
fi
command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null || guest_skip "apt-get/dpkg-deb missing"
command -v depmod >/dev/null || guest_skip "depmod missing (install kmod)"

rm -rf "$guest_kernel_dir"   # an incomplete copy from an interrupted run
dl=$guest_cache/debs
mkdir -p "$dl"
guest_apt=()
if [ -n "$guest_suite" ]; then guest_apt_suite "$guest_suite" || guest_skip "apt-get update of $guest_suite failed"; fi
# linux-image-amd64 is a meta package: its dependency names the real image.
image=$(apt-cache "${guest_apt[@]}" depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$image" ] || guest_skip "apt-cache cannot resolve linux-image-amd64 (run apt-get update)"
(cd "$dl" && ls "$image"_*.deb >/dev/null 2>&1 || apt-get "${guest_apt[@]}" download -q "$image" >&2) \
  || guest_skip "apt-get download $image failed"

# Unpack beside the cache and rename: parallel callers never see half a kernel.
tmp=$(mktemp -d "$guest_kernel_dir.tmp.XXXXXX")
dpkg-deb -x "$dl/$image"_*.deb "$tmp"
version=$(ls "$tmp/lib/modules" | head -n1)
depmod -b "$tmp" "$version"
mv -T "$tmp" "$guest_kernel_dir" 2>/dev/null || rm -rf "$tmp"   # lost the race: keep the other copy
guest_log "kernel $version in $guest_kernel_dir"
echo "$guest_kernel_dir"
