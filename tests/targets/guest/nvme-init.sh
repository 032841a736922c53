#!/bin/sh
# /init of the NVMe guest: finds the two emulated controllers by serial
# number (nvme-guest.sh), then runs /test/run with
#   OFFLOAD_NVME_COPY, OFFLOAD_NVME_COPY_NG  block and generic nodes of the
#       namespace with Copy limits; OFFLOAD_NVME_MSSRL / _MCL / _MSRC those limits
#   OFFLOAD_NVME_BIG  block node of the same controller's namespace 2 with
#       large limits; OFFLOAD_NVME_BIG_MSSRL / _MCL / _MSRC those limits
#   OFFLOAD_NVME_LEGACY  block node of the legacy form's namespace
# prints "OFFLOAD-GUEST: EXIT rc" and powers off.
. /lib/guest-lib.sh
load_modules
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    offload.mssrl=*) export OFFLOAD_NVME_MSSRL=${arg#offload.mssrl=} ;;
    offload.mcl=*) export OFFLOAD_NVME_MCL=${arg#offload.mcl=} ;;
    offload.msrc=*) export OFFLOAD_NVME_MSRC=${arg#offload.msrc=} ;;
    offload.big_mssrl=*) export OFFLOAD_NVME_BIG_MSSRL=${arg#offload.big_mssrl=} ;;
    offload.big_mcl=*) export OFFLOAD_NVME_BIG_MCL=${arg#offload.big_mcl=} ;;
    offload.big_msrc=*) export OFFLOAD_NVME_BIG_MSRC=${arg#offload.big_msrc=} ;;
  esac
done
# The block node name (nvmeXnY) of namespace $2 of the controller with
# serial $1: its device link is the controller, or the subsystem with native
# multipath; both have the serial; Y is the namespace id. Its generic node
# is ngXnY (same numbers).
namespace_of() {
  for ns in /sys/block/nvme*n"$2"; do
    [ "$(tr -d ' ' <"$ns/device/serial" 2>/dev/null)" = "$1" ] && basename "$ns"
  done
}
waited=0 copy="" big="" legacy=""
while [ $waited -lt 60 ]; do
  copy=$(namespace_of offload-nvme-copy 1) big=$(namespace_of offload-nvme-copy 2) legacy=$(namespace_of offload-nvme-legacy 1)
  [ -n "$copy" ] && [ -n "$big" ] && [ -n "$legacy" ] && [ -b "/dev/$copy" ] && [ -b "/dev/$big" ] && [ -b "/dev/$legacy" ] &&
    [ -c "/dev/ng${copy#nvme}" ] && break
  sleep 1; waited=$((waited + 1))
done
[ -n "$copy" ] && [ -n "$big" ] && [ -n "$legacy" ] ||
  fail "nvme: controllers offload-nvme-copy (namespaces 1, 2) / offload-nvme-legacy not all there after 60 s"
export OFFLOAD_NVME_COPY=/dev/$copy OFFLOAD_NVME_COPY_NG=/dev/ng${copy#nvme} OFFLOAD_NVME_BIG=/dev/$big OFFLOAD_NVME_LEGACY=/dev/$legacy
say "nvme: copy namespace $OFFLOAD_NVME_COPY ($OFFLOAD_NVME_COPY_NG), large limits $OFFLOAD_NVME_BIG, legacy $OFFLOAD_NVME_LEGACY"
ready "nvme"
if [ -x /test/run ]; then
  cd /test
  ./run >/dev/console 2>&1
  say "EXIT $?"
  sync
fi
poweroff -f
