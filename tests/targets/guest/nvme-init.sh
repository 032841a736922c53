#!/bin/sh
# /init of the NVMe guest: finds the two emulated controllers by serial
# number (nvme-guest.sh), then runs /test/run with
#   OFFLOAD_NVME_COPY, OFFLOAD_NVME_COPY_NG  block and generic nodes of the
#       namespace with Copy limits; OFFLOAD_NVME_MSSRL / _MCL / _MSRC those limits
#   OFFLOAD_NVME_BIG  block node of the same controller's namespace 2 with
#       large limits; OFFLOAD_NVME_BIG_MSSRL / _MCL / _MSRC those limits
#   OFFLOAD_NVME_LEGACY  block node of the legacy form's namespace
# and, with offload.nvme_tcp_mib=N (nvme-guest.sh, OFFLOAD_NVME_TCP=1), NVMe
# over TCP: nvmet exports a brd RAM disk of N MiB as namespace 1 of
# subsystem OFFLOAD_NVME_TCP_NQN on 10.9.0.1:4420 (veth-s); the host side
# connects from the network namespace "client" (10.9.0.2, veth-c) by
# writing the options to /dev/nvme-fabrics (no nvme-cli), and
#   OFFLOAD_NVME_TCP, OFFLOAD_NVME_TCP_NG  block and generic nodes of that
#       namespace as the NVMe/TCP host sees it
# prints "OFFLOAD-GUEST: EXIT rc" and powers off.
. /lib/guest-lib.sh
load_modules
tcp_mib=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    offload.mssrl=*) export OFFLOAD_NVME_MSSRL=${arg#offload.mssrl=} ;;
    offload.mcl=*) export OFFLOAD_NVME_MCL=${arg#offload.mcl=} ;;
    offload.msrc=*) export OFFLOAD_NVME_MSRC=${arg#offload.msrc=} ;;
    offload.big_mssrl=*) export OFFLOAD_NVME_BIG_MSSRL=${arg#offload.big_mssrl=} ;;
    offload.big_mcl=*) export OFFLOAD_NVME_BIG_MCL=${arg#offload.big_mcl=} ;;
    offload.big_msrc=*) export OFFLOAD_NVME_BIG_MSRC=${arg#offload.big_msrc=} ;;
    offload.nvme_tcp_mib=*) tcp_mib=${arg#offload.nvme_tcp_mib=} ;;
  esac
done
# The block node name (nvmeXnY) of namespace $2 of the controller with
# serial $1: its device link is the controller, or the subsystem with native
# multipath; both have the serial; Y is the namespace id. The hidden
# per-path nodes nvmeXcZnY of a multipath head (NVMe/TCP) are skipped. Its generic node
# is ngXnY (same numbers).
namespace_of() {
  for ns in /sys/block/nvme*n"$2"; do
    case ${ns##*/} in nvme*c*n*) continue ;; esac   # a path under a multipath head (fabrics), not the head
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
if [ -n "$tcp_mib" ]; then
  export OFFLOAD_NVME_TCP_NQN=nqn.2026-12.org.offloadsim:tcp
  serial=offload-nvme-tcp
  # No transparent huge pages (Debian's 6.1 has them "always"): a host Write
  # from a THP-backed buffer reaches nvmet over veth as page fragments that
  # run past the end of the 2 MiB folio, and nvmet-tcp's receive copy then
  # trips hardened usercopy: "kernel BUG at mm/usercopy.c:101", "Kernel
  # memory exposure attempt detected from page alloc (offset 2093056, size
  # 65136)" in nvmet_tcp_io_work (seen at 16 MiB copies); the target's
  # worker dies and the host loses its path (EWOULDBLOCK).
  echo never >/sys/kernel/mm/transparent_hugepage/enabled || fail "nvme-tcp: cannot turn transparent huge pages off"
  # The RAM disk: brd loaded again with one disk of the wanted size (KiB).
  rmmod brd 2>/dev/null; insmod /lib/modules/brd.ko rd_nr=1 rd_size=$((tcp_mib * 1024)) || fail "nvme-tcp: insmod brd failed"
  ip link set lo up
  make_client_netns
  mkdir -p /sys/kernel/config
  mount -t configfs none /sys/kernel/config || fail "nvme-tcp: cannot mount configfs"
  subsys=/sys/kernel/config/nvmet/subsystems/$OFFLOAD_NVME_TCP_NQN port=/sys/kernel/config/nvmet/ports/1
  mkdir "$subsys" || fail "nvme-tcp: no nvmet in configfs (nvmet loaded?)"
  echo 1 >"$subsys/attr_allow_any_host"
  echo "$serial" >"$subsys/attr_serial"
  mkdir "$subsys/namespaces/1"
  echo /dev/ram0 >"$subsys/namespaces/1/device_path"
  echo 1 >"$subsys/namespaces/1/enable" || fail "nvme-tcp: cannot enable the namespace on /dev/ram0"
  mkdir "$port"
  echo tcp >"$port/addr_trtype"; echo ipv4 >"$port/addr_adrfam"
  echo 10.9.0.1 >"$port/addr_traddr"; echo 4420 >"$port/addr_trsvcid"
  ln -s "$subsys" "$port/subsystems/" || fail "nvme-tcp: cannot bind the subsystem to the TCP port (nvmet-tcp loaded?)"
  # The host's sockets are made in the writer's network namespace: connect from "client".
  # Keep-alive 30 s instead of 5 (NVME_DEFAULT_KATO): a TCG guest on a busy
  # host is slow to send it.
  nsenter --net=/run/netns/client sh -c \
    "echo transport=tcp,traddr=10.9.0.1,trsvcid=4420,nqn=$OFFLOAD_NVME_TCP_NQN,keep_alive_tmo=30 >/dev/nvme-fabrics" ||
    fail "nvme-tcp: connect through /dev/nvme-fabrics failed (nvme-tcp loaded?)"
  waited=0 tcp=""
  while [ $waited -lt 30 ]; do
    tcp=$(namespace_of "$serial" 1)
    [ -n "$tcp" ] && [ -b "/dev/$tcp" ] && [ -c "/dev/ng${tcp#nvme}" ] && break
    sleep 1; waited=$((waited + 1))
  done
  [ -n "$tcp" ] || fail "nvme-tcp: the NVMe/TCP namespace did not appear after 30 s"
  export OFFLOAD_NVME_TCP=/dev/$tcp OFFLOAD_NVME_TCP_NG=/dev/ng${tcp#nvme}
  say "nvme-tcp: $OFFLOAD_NVME_TCP_NQN on 10.9.0.1:4420 ($tcp_mib MiB RAM disk) is $OFFLOAD_NVME_TCP ($OFFLOAD_NVME_TCP_NG), transport $(cat /sys/block/"$tcp"/device/nvme*/transport 2>/dev/null | head -n1)"
fi
say "nvme: copy namespace $OFFLOAD_NVME_COPY ($OFFLOAD_NVME_COPY_NG), large limits $OFFLOAD_NVME_BIG, legacy $OFFLOAD_NVME_LEGACY"
ready "nvme"
if [ -x /test/run ]; then
  cd /test
  ./run >/dev/console 2>&1
  say "EXIT $?"
  sync
fi
poweroff -f
