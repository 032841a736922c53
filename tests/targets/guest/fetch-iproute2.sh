#!/usr/bin/env bash
# Downloads Debian's iproute2 (apt-get download, not installed on the host)
# and assembles a guest overlay in $OFFLOAD_GUEST_CACHE/iproute2-root: /usr/local/sbin/ip
# (network namespaces, veth pairs) and /usr/local/sbin/tc (qdiscs: tbf
# shapes a link's rate; busybox's own ip and tc in /bin lack both), with the host's copies of their shared libraries (ldd). Prints the
# overlay's path. Exit 77 when the package cannot be downloaded here.
set -euo pipefail
. "$(dirname "$0")/common.sh"

root=$guest_cache/iproute2-root
if [ -x "$root/usr/local/sbin/ip" ] && [ -x "$root/usr/local/sbin/tc" ]; then echo "$root"; exit 0; fi
rm -rf "$root"   # an incomplete copy from an interrupted run
dl=$guest_cache/debs
mkdir -p "$dl"
(cd "$dl" && { ls iproute2_*.deb >/dev/null 2>&1 || apt-get download -q iproute2 >&2; }) \
  || guest_skip "apt-get download iproute2 failed"
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/offload-iproute2.XXXXXX")
trap 'rm -rf "$unpacked" "${tmp:-}"' EXIT
dpkg-deb -x "$dl"/iproute2_*.deb "$unpacked"

tmp=$(mktemp -d "$root.tmp.XXXXXX")
mkdir -p "$tmp"/{usr/local/sbin,run/netns,lib64}
for bin in bin/ip sbin/tc; do
  cp "$unpacked/$bin" "$tmp/usr/local/sbin/"
  guest_copy_libraries "$unpacked/$bin" "$tmp"
done
mv -T "$tmp" "$root" 2>/dev/null || rm -rf "$tmp"   # lost a race: keep the other copy
echo "$root"
