#!/bin/sh
# /init of the LIO guest: each virtio disk /dev/vdX becomes a fileio backstore
# and LUN N of one iSCSI target on port 3260 (the host reaches it via hostfwd).
# The kernel command line carries the IQN and one serial per disk:
#   offload.iqn=IQN offload.serials=S0,S1,...
. /lib/guest-lib.sh
load_modules
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    offload.iqn=*) iqn=${arg#offload.iqn=} ;;
    offload.serials=*) serials=${arg#offload.serials=} ;;
  esac
done
[ -n "$iqn" ] && [ -n "$serials" ] || fail "lio: offload.iqn / offload.serials missing on the command line"

ip link set lo up
ip link set eth0 up || fail "lio: no eth0 (virtio-net)"
ip addr add 10.0.2.15/24 dev eth0
mount -t configfs configfs /sys/kernel/config || fail "lio: cannot mount configfs"
core=/sys/kernel/config/target/core
tpg=/sys/kernel/config/target/iscsi/$iqn/tpgt_1
mkdir -p "$tpg" || fail "lio: cannot create $tpg (iscsi_target_mod loaded?)"

n=0
for serial in $(echo "$serials" | tr , ' '); do
  disk=/dev/vd$(echo abcdefghijklmnop | cut -c$((n + 1)))
  [ -b "$disk" ] || fail "lio: $disk missing for LUN $n"
  bytes=$(blockdev --getsize64 "$disk")
  store=$core/fileio_$n/lun$n
  mkdir -p "$store"
  echo "fd_dev_name=$disk,fd_dev_size=$bytes" >"$store/control"
  # Without a unit serial LIO has no NAA designator and EXTENDED COPY fails.
  echo "$serial" >"$store/wwn/vpd_unit_serial"
  echo 1 >"$store/enable" || fail "lio: cannot enable backstore $store"
  mkdir -p "$tpg/lun/lun_$n"
  ln -s "$store" "$tpg/lun/lun_$n/lun$n" || fail "lio: cannot map LUN $n"
  say "lun $n $disk $bytes bytes serial $serial"
  n=$((n + 1))
done

mkdir "$tpg/np/0.0.0.0:3260" || fail "lio: cannot open portal 0.0.0.0:3260"
echo 0 >"$tpg/attrib/authentication"
echo 1 >"$tpg/attrib/generate_node_acls"
echo 0 >"$tpg/attrib/demo_mode_write_protect"
echo 1 >"$tpg/attrib/cache_dynamic_acls"
echo 1 >"$tpg/enable" || fail "lio: cannot enable the target portal group"
ready "lio $iqn luns=$n"
while true; do sleep 3600; done
