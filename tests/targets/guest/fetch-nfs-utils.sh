#!/usr/bin/env bash
# Downloads nfs-kernel-server and nfs-common (apt-get download, not
# installed on the host) and assembles a guest overlay in
# $OFFLOAD_GUEST_CACHE/nfs-root: rpc.nfsd, rpc.mountd, exportfs, mount.nfs,
# the host's copies of their shared libraries (ldd), /etc/netconfig and
# /etc/services (nfs 2049/tcp). Prints the overlay's path.
# Exit 77 when the packages cannot be downloaded here.
set -euo pipefail
. "$(dirname "$0")/common.sh"

root=$guest_cache/nfs-root
if [ -x "$root/usr/sbin/rpc.nfsd" ] && [ -x "$root/sbin/mount.nfs" ]; then echo "$root"; exit 0; fi
rm -rf "$root"   # an incomplete copy from an interrupted run
dl=$guest_cache/debs
mkdir -p "$dl"
(cd "$dl" && { ls nfs-kernel-server_*.deb nfs-common_*.deb >/dev/null 2>&1 || apt-get download -q nfs-kernel-server nfs-common >&2; }) \
  || guest_skip "apt-get download nfs-kernel-server nfs-common failed"
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/offload-nfs-utils.XXXXXX")
trap 'rm -rf "$unpacked" "${tmp:-}"' EXIT
for deb in "$dl"/nfs-kernel-server_*.deb "$dl"/nfs-common_*.deb; do dpkg-deb -x "$deb" "$unpacked"; done

tmp=$(mktemp -d "$root.tmp.XXXXXX")
mkdir -p "$tmp"/{etc,usr/sbin,sbin,var/lib/nfs/v4recovery,lib64}
binaries=(usr/sbin/rpc.nfsd usr/sbin/rpc.mountd usr/sbin/exportfs sbin/mount.nfs)
for bin in "${binaries[@]}"; do
  cp "$unpacked/$bin" "$tmp/$bin"
  guest_copy_libraries "$unpacked/$bin" "$tmp"
done
ln -s mount.nfs "$tmp/sbin/mount.nfs4"
[ -e /etc/netconfig ] && cp /etc/netconfig "$tmp/etc/netconfig"   # libtirpc's transport table
printf 'sunrpc 111/tcp\nnfs 2049/tcp\n' >"$tmp/etc/services"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
mv -T "$tmp" "$root" 2>/dev/null || rm -rf "$tmp"   # lost a race: keep the other copy
echo "$root"
