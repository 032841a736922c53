#!/usr/bin/env bash
# Downloads ksmbd-tools (the user-space half of the in-kernel SMB server:
# ksmbd.mountd, ksmbd.adduser; from $OFFLOAD_GUEST_SUITE when set, as the
# kernel), cifs-utils (mount.cifs) and libnl-genl-3-200 (ksmbd.mountd's
# netlink library, often not on the host) with apt-get download, not
# installed on the host, and assembles a guest overlay in
# $OFFLOAD_GUEST_CACHE/smb-root[-SUITE] with the shared libraries the
# binaries need (ldd). Prints the overlay's path. Exit 77 when the packages
# cannot be downloaded here.
set -euo pipefail
. "$(dirname "$0")/common.sh"

root=$guest_cache/smb-root${guest_suite:+-$guest_suite}
if [ -x "$root/usr/libexec/ksmbd.tools" ] && [ -x "$root/sbin/mount.cifs" ]; then echo "$root"; exit 0; fi
rm -rf "$root"   # an incomplete copy from an interrupted run
# download DIR PACKAGE [APT OPTION]...: PACKAGE's .deb into DIR unless there.
download() {
  local dir=$1 package=$2; shift 2
  mkdir -p "$dir"
  (cd "$dir" && { ls "${package}"_*.deb >/dev/null 2>&1 || apt-get "$@" download -q "$package" >&2; }) \
    || guest_skip "apt-get download $package failed"
}
dl=$guest_cache/debs
guest_apt=()
if [ -n "$guest_suite" ]; then guest_apt_suite "$guest_suite" || guest_skip "apt-get update of $guest_suite failed"; fi
download "$dl${guest_suite:+/$guest_suite}" ksmbd-tools "${guest_apt[@]}"
download "$dl" cifs-utils
download "$dl" libnl-genl-3-200
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/offload-smb-utils.XXXXXX")
trap 'rm -rf "$unpacked" "${tmp:-}"' EXIT
for deb in "$dl${guest_suite:+/$guest_suite}"/ksmbd-tools_*.deb "$dl"/cifs-utils_*.deb "$dl"/libnl-genl-3-200_*.deb; do
  dpkg-deb -x "$deb" "$unpacked"
done

tmp=$(mktemp -d "$root.tmp.XXXXXX")
mkdir -p "$tmp"/{etc/ksmbd,usr/libexec,usr/sbin,sbin,lib/x86_64-linux-gnu,lib64}
cp "$unpacked/usr/libexec/ksmbd.tools" "$tmp/usr/libexec/"
for tool in ksmbd.mountd ksmbd.adduser ksmbd.addshare ksmbd.control; do ln -s ../libexec/ksmbd.tools "$tmp/usr/sbin/$tool"; done
cp "$unpacked/sbin/mount.cifs" "$tmp/sbin/"
# ldd finds the unpacked libnl-genl (copied under its unpacked path, moved
# to the guest's /lib below); the other libraries are the host's.
for bin in usr/libexec/ksmbd.tools sbin/mount.cifs; do
  LD_LIBRARY_PATH=$unpacked/lib/x86_64-linux-gnu guest_copy_libraries "$unpacked/$bin" "$tmp"
done
mv "$tmp$unpacked"/lib/x86_64-linux-gnu/libnl-genl-3.so.* "$tmp/lib/x86_64-linux-gnu/"
rm -rf "${tmp:?}$unpacked"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
ln -s /proc/self/mounts "$tmp/etc/mtab"   # mount.cifs appends to /etc/mtab unless it is this link
mv -T "$tmp" "$root" 2>/dev/null || rm -rf "$tmp"   # lost a race: keep the other copy
echo "$root"
