#!/usr/bin/env bash
# Runs a program inside a QEMU guest that serves an XFS (reflink=1) disk with
# Linux nfsd and mounts it over loopback with NFSv4.2 (see nfs-init.sh).
#   nfs-guest.sh STATE_DIR TEST_DIR
# TEST_DIR is copied to /test in the guest; /test/run is started there with
# OFFLOAD_NFS_DIR (the NFS mount) and OFFLOAD_NFS_EXPORT (the XFS export).
# Everything the guest prints is in STATE_DIR/serial.log; exits with the
# program's exit status. Exit 77 when QEMU or the kernel is unavailable.
#   OFFLOAD_GUEST_VETH=1    the client mounts over a veth pair from its own
#                           network namespace (tc can shape it; ip and tc in the guest)
#   OFFLOAD_NFS_REFLINK=0   the export's XFS without reflink: nfsd's COPY then
#                           copies the data (with reflink it shares extents)
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || { echo "usage: $0 STATE_DIR TEST_DIR" >&2; exit 2; }
state=$1 tests=$2
nfs_modules=(virtio_pci virtio_blk crc32c_generic libcrc32c xfs sunrpc grace lockd nfs_acl auth_rpcgss nfsd
             netfs fscache nfs dns_resolver nfsv4)
veth_modules=(veth sch_tbf)
mkdir -p "$state"
cleanup() { guest_stop "$state"; rm -f "$state/export.img" "$state/initrd.gz"; }
trap cleanup EXIT

"$guest_src_dir/fetch-kernel.sh" >/dev/null
guest_require_qemu
command -v mkfs.xfs >/dev/null || guest_skip "mkfs.xfs not installed (xfsprogs)"
utils=$("$guest_src_dir/fetch-nfs-utils.sh")
overlay=$(mktemp -d "${TMPDIR:-/tmp}/offload-nfs-overlay.XXXXXX")
trap 'cleanup; rm -rf "$overlay"' EXIT
mkdir -p "$overlay/test"
cp -a "$tests"/. "$overlay/test/"
roots=(-d "$utils") append=""
if [ "${OFFLOAD_GUEST_VETH:-0}" = 1 ]; then
  iproute=$("$guest_src_dir/fetch-iproute2.sh")
  roots+=(-d "$iproute"); nfs_modules+=("${veth_modules[@]}"); append=offload.veth=1
fi
"$guest_src_dir/make-initramfs.sh" "$state/initrd.gz" "$guest_src_dir/nfs-init.sh" "${roots[@]}" -d "$overlay" "${nfs_modules[@]}"

# The export: sparse, reflink on, small (the guest writes through slow emulation).
truncate -s 512M "$state/export.img"
mkfs.xfs -q -f -m reflink="${OFFLOAD_NFS_REFLINK:-1}" "$state/export.img"
export OFFLOAD_GUEST_LIFETIME=${OFFLOAD_GUEST_LIFETIME:-900}   # it powers off by itself at the end anyway
t0=$SECONDS
guest_start "$state" "$state/initrd.gz" 1024 "$append" \
  -drive "file=$state/export.img,if=virtio,format=raw,cache=unsafe" -nic none \
  || guest_skip "qemu-system-x86_64 cannot start here"
guest_wait "$state" "${OFFLOAD_GUEST_BOOT_TIMEOUT:-180}" || { echo "nfs-guest: the NFS guest did not come up" >&2; exit 1; }
guest_log "NFS guest ready after $((SECONDS - t0)) s"
t1=$SECONDS
guest_wait "$state" "${OFFLOAD_GUEST_RUN_TIMEOUT:-600}" 'OFFLOAD-GUEST: EXIT' || { echo "nfs-guest: the program did not finish" >&2; exit 1; }
rc=$(sed -n 's/.*OFFLOAD-GUEST: EXIT \([0-9]*\).*/\1/p' "$state/serial.log" | tail -n1)
guest_log "program exited $rc after $((SECONDS - t1)) s in the guest"
exit "${rc:-1}"
