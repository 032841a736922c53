#!/usr/bin/env bash
# Runs a program inside a QEMU guest where ksmbd shares an XFS (reflink=1)
# disk and an ext4 disk and the Linux SMB client mounts both over loopback
# with SMB 3.1.1 (see smb-init.sh).
#   smb-guest.sh STATE_DIR TEST_DIR
# TEST_DIR is copied to /test in the guest (TEST_DIR/root to /); /test/run is started there with
# the variables smb-init.sh lists. Everything the guest prints is in
# STATE_DIR/serial.log; exits with the program's exit status. Exit 77 when
# QEMU or the kernel is unavailable.
#   OFFLOAD_GUEST_VETH=1    the client mounts over a veth pair from its own
#                           network namespace (tc can shape it: tbf or netem delay;
#                           ip and tc in the guest)
#   OFFLOAD_GUEST_SUITE     where the kernel and ksmbd-tools come from (default
#                           the host's codename-backports: bookworm's 6.1 ksmbd
#                           oopses in smb2_open, opinfo_put(NULL), on the mount's
#                           first open of a directory, and its ksmbd-tools 3.4.7
#                           gets no share past tree connect)
set -euo pipefail
# shellcheck disable=SC1091
OFFLOAD_GUEST_SUITE=${OFFLOAD_GUEST_SUITE-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}-backports")}
export OFFLOAD_GUEST_SUITE
# One virtual CPU: under TCG with two, the 6.12 guest oopsed once in four
# boots on an int3 left by kernel text patching (secure_tcp_seq_and_ts_off).
export OFFLOAD_GUEST_SMP=${OFFLOAD_GUEST_SMP:-1}
. "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || { echo "usage: $0 STATE_DIR TEST_DIR" >&2; exit 2; }
state=$1 tests=$2
# ksmbd and cifs load their crypto on first use (SMB 3.1.1 pre-auth hash
# sha512, signing keys cmac/hmac, ciphers ccm/gcm) and the guest has no modprobe.
smb_modules=(virtio_pci virtio_blk crc32c_generic libcrc32c xfs ext4 ksmbd cifs
             sha512_generic cmac ccm gcm ctr ecb ghash_generic md4 des_generic)
veth_modules=(veth sch_tbf sch_netem)   # tbf: rate; netem: added delay (bench/smb_guest_bench.sh)
mkdir -p "$state"
cleanup() { guest_stop "$state"; rm -f "$state/xfs.img" "$state/ext4.img" "$state/initrd.gz"; }
trap cleanup EXIT

"$guest_src_dir/fetch-kernel.sh" >/dev/null
guest_require_qemu
command -v mkfs.xfs >/dev/null || guest_skip "mkfs.xfs not installed (xfsprogs)"
command -v mkfs.ext4 >/dev/null || guest_skip "mkfs.ext4 not installed (e2fsprogs)"
utils=$("$guest_src_dir/fetch-smb-utils.sh")
overlay=$(mktemp -d "${TMPDIR:-/tmp}/offload-smb-overlay.XXXXXX")
trap 'cleanup; rm -rf "$overlay"' EXIT
mkdir -p "$overlay/test"
cp -a "$tests"/. "$overlay/test/"
# TEST_DIR/root (e.g. a program's shared libraries, guest_copy_libraries) goes to the guest's /.
if [ -d "$tests/root" ]; then cp -a "$tests/root"/. "$overlay/"; rm -rf "$overlay/test/root"; fi
roots=(-d "$utils") append=""
if [ "${OFFLOAD_GUEST_VETH:-0}" = 1 ]; then
  iproute=$("$guest_src_dir/fetch-iproute2.sh")
  roots+=(-d "$iproute"); smb_modules+=("${veth_modules[@]}"); append=offload.veth=1
fi
"$guest_src_dir/make-initramfs.sh" "$state/initrd.gz" "$guest_src_dir/smb-init.sh" "${roots[@]}" -d "$overlay" "${smb_modules[@]}"

# The shares: sparse and small (the guest writes through slow emulation).
truncate -s 512M "$state/xfs.img" "$state/ext4.img"
mkfs.xfs -q -f -m reflink=1 "$state/xfs.img"
mkfs.ext4 -q -F "$state/ext4.img"
export OFFLOAD_GUEST_LIFETIME=${OFFLOAD_GUEST_LIFETIME:-900}   # it powers off by itself at the end anyway
t0=$SECONDS
guest_start "$state" "$state/initrd.gz" 1024 "$append" \
  -drive "file=$state/xfs.img,if=virtio,format=raw,cache=unsafe" \
  -drive "file=$state/ext4.img,if=virtio,format=raw,cache=unsafe" -nic none \
  || guest_skip "qemu-system-x86_64 cannot start here"
guest_wait "$state" "${OFFLOAD_GUEST_BOOT_TIMEOUT:-180}" || { echo "smb-guest: the SMB guest did not come up" >&2; exit 1; }
guest_log "SMB guest ready after $((SECONDS - t0)) s"
t1=$SECONDS
guest_wait "$state" "${OFFLOAD_GUEST_RUN_TIMEOUT:-600}" 'OFFLOAD-GUEST: EXIT' || { echo "smb-guest: the program did not finish" >&2; exit 1; }
rc=$(sed -n 's/.*OFFLOAD-GUEST: EXIT \([0-9]*\).*/\1/p' "$state/serial.log" | tail -n1)
guest_log "program exited $rc after $((SECONDS - t1)) s in the guest"
exit "${rc:-1}"
