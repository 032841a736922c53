#!/usr/bin/env bash
# QEMU's emulated NVMe controllers in a TCG guest, for NVMe Copy (19h).
#   nvme-guest.sh run STATE_DIR TEST_DIR   boot, run TEST_DIR/run inside
#       (copied to /test, TEST_DIR/root to /; see nvme-init.sh for its environment), stop, exit
#       with its status; the serial log stays in STATE_DIR/serial.log
# Controllers (sparse raw images on the host):
#   serial offload-nvme-copy    `-device nvme` + two `-device nvme-ns`, 256 MiB
#       each: namespace 1 with small Copy limits (MSSRL, MCL, MSRC below):
#       Copy is split; namespace 2 with large ones (BIG_* below: 32 MiB per
#       command), for timing Copy where the limits do not dominate;
#   serial offload-nvme-legacy  the legacy `-device nvme,drive=` form, 64 MiB:
#       QEMU 7.2 reports Copy in ONCS but limits of 0 there (no nvme-ns
#       properties), the namespace without a usable Copy.
# With OFFLOAD_NVME_TCP=1 also NVMe over TCP inside the guest (nvme-init.sh):
#   the Linux NVMe target (nvmet, nvmet-tcp) exports a RAM disk (brd) over
#   TCP on a veth pair and the guest's NVMe/TCP host (nvme-tcp) connects to
#   it from the network namespace "client"; tc (iproute2) can shape the link.
# Exit 77 when QEMU or the kernel is unavailable.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -eq 3 ] && [ "$1" = run ] || { echo "usage: $0 run STATE_DIR TEST_DIR" >&2; exit 2; }
state=$2 tests=$3
# In 512-byte blocks: 32 per range, 4 ranges (MSRC 3, 0's based), 96 per
# command: MCL binds (96 < 4 x 32), so both limits shape the split.
mssrl=32 mcl=96 msrc=3
# 4096 per range, 16 ranges, 65536 (32 MiB) per command.
big_mssrl=4096 big_mcl=65536 big_msrc=15
[ -d "$tests" ] && [ -x "$tests/run" ] || { echo "nvme-guest: $tests/run missing or not executable" >&2; exit 2; }
mkdir -p "$state"
trap 'guest_stop "$state"; rm -f "$state"/ns*.img "$state/initrd.gz"' EXIT
"$guest_src_dir/fetch-kernel.sh" >/dev/null
guest_require_qemu
overlay=$(mktemp -d "${TMPDIR:-/tmp}/offload-nvme-overlay.XXXXXX")
mkdir -p "$overlay/test"; cp -a "$tests"/. "$overlay/test/"
# TEST_DIR/root (e.g. a program's shared libraries, guest_copy_libraries) goes to the guest's /.
if [ -d "$tests/root" ]; then cp -a "$tests/root"/. "$overlay/"; rm -rf "$overlay/test/root"; fi
truncate -s 256M "$state/ns-copy.img"
truncate -s 256M "$state/ns-big.img"
truncate -s 64M "$state/ns-legacy.img"
modules=(nvme ext4)   # ext4 mounts the ext2 filesystem nvme_guest_cli.sh makes for offload advise
memory=512
if [ "${OFFLOAD_NVME_TCP:-0}" = 1 ]; then
  iproute=$("$guest_src_dir/fetch-iproute2.sh")
  tcp_modules=(nvmet nvmet-tcp nvme-tcp brd veth sch_tbf)
  for module in "${tcp_modules[@]}"; do
    modprobe -d "$guest_kernel_dir" -S "$(guest_kernel_version)" --show-depends "$module" >/dev/null 2>&1 ||
      guest_skip "the guest kernel $(guest_kernel_version) has no module $module (NVMe/TCP needs ${tcp_modules[*]})"
  done
  modules+=("${tcp_modules[@]}")
  memory=1024   # the target's RAM disk (OFFLOAD_NVME_TCP_MIB) lives in guest memory
fi
append="offload.mssrl=$mssrl offload.mcl=$mcl offload.msrc=$msrc offload.big_mssrl=$big_mssrl offload.big_mcl=$big_mcl offload.big_msrc=$big_msrc"
[ "${OFFLOAD_NVME_TCP:-0}" = 1 ] && append+=" offload.veth=1 offload.nvme_tcp_mib=${OFFLOAD_NVME_TCP_MIB:-192}"
"$guest_src_dir/make-initramfs.sh" "$state/initrd.gz" "$guest_src_dir/nvme-init.sh" ${iproute:+-d "$iproute"} -d "$overlay" "${modules[@]}"
rm -rf "$overlay"
guest_start "$state" "$state/initrd.gz" "$memory" "$append" \
  -drive "file=$state/ns-copy.img,if=none,id=copy,format=raw,cache=unsafe" \
  -device nvme,id=n0,serial=offload-nvme-copy \
  -device "nvme-ns,drive=copy,bus=n0,nsid=1,mssrl=$mssrl,mcl=$mcl,msrc=$msrc" \
  -drive "file=$state/ns-big.img,if=none,id=big,format=raw,cache=unsafe" \
  -device "nvme-ns,drive=big,bus=n0,nsid=2,mssrl=$big_mssrl,mcl=$big_mcl,msrc=$big_msrc" \
  -drive "file=$state/ns-legacy.img,if=none,id=legacy,format=raw,cache=unsafe" \
  -device nvme,drive=legacy,serial=offload-nvme-legacy \
  || guest_skip "qemu-system-x86_64 cannot start here"
t0=$SECONDS
guest_wait "$state" "${OFFLOAD_GUEST_BOOT_TIMEOUT:-180}" || { echo "nvme-guest: the guest did not come up" >&2; exit 1; }
guest_wait "$state" "${OFFLOAD_GUEST_RUN_TIMEOUT:-900}" 'OFFLOAD-GUEST: EXIT' || { echo "nvme-guest: the program did not finish" >&2; exit 1; }
rc=$(sed -n 's/.*OFFLOAD-GUEST: EXIT \([0-9]*\).*/\1/p' "$state/serial.log" | tail -n1)
guest_log "program exited $rc after $((SECONDS - t0)) s"
for i in $(seq 50); do [ -e "$state/qemu.pid" ] && kill -0 "$(cat "$state/qemu.pid")" 2>/dev/null || break; sleep 0.2; done
exit "${rc:-1}"
