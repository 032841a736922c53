#!/bin/sh
# /init of the LIO guest: each virtio disk /dev/vdX becomes a fileio backstore
# and LUN N of one iSCSI target on port 3260 (the host reaches it via hostfwd).
# The kernel command line carries the IQN and one serial per disk:
#   offload.iqn=IQN offload.serials=S0,S1,...
# With offload.loopback=1 the same backstores are also LUNs of LIO's
# loopback fabric (tcm_loop): local SCSI disks /dev/sdX and /dev/sgN in the
# guest; then /test/run (if present) runs with OFFLOAD_SG_LUNS="0 1 ..." and
# OFFLOAD_LUN<N>_SD / OFFLOAD_LUN<N>_SG / OFFLOAD_LUN<N>_SERIAL, prints
# "OFFLOAD-GUEST: EXIT rc" and the guest powers off. With offload.veth=1 a
# network namespace "client" reaches the portal at 10.9.0.1:3260 over a veth pair.
. /lib/guest-lib.sh
load_modules
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    offload.iqn=*) iqn=${arg#offload.iqn=} ;;
    offload.serials=*) serials=${arg#offload.serials=} ;;
    offload.loopback=*) loopback=${arg#offload.loopback=} ;;
  esac
done
[ -n "$iqn" ] && [ -n "$serials" ] || fail "lio: offload.iqn / offload.serials missing on the command line"

ip link set lo up
ip link set eth0 up || fail "lio: no eth0 (virtio-net)"
ip addr add 10.0.2.15/24 dev eth0
if veth_wanted; then make_client_netns; fi
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

# LIO's loopback fabric: the nexus first (the SCSI host needs it to probe),
# then one LUN per backstore; tcm_loop adds each as SCSI device H:0:1:N.
if [ "$loopback" = 1 ]; then
  lb=/sys/kernel/config/target/loopback/naa.50014050ff1ce000/tpgt_1
  mkdir -p "$lb" || fail "loopback: cannot create $lb (tcm_loop loaded?)"
  echo naa.50014050ff1ce001 >"$lb/nexus" || fail "loopback: cannot create the I_T nexus"
  i=0 luns=""
  for serial in $(echo "$serials" | tr , ' '); do
    mkdir -p "$lb/lun/lun_$i"
    ln -s "$core/fileio_$i/lun$i" "$lb/lun/lun_$i/lun$i" || fail "loopback: cannot map LUN $i"
    waited=0 sd="" sg=""
    while [ $waited -lt 60 ]; do
      dev=$(ls -d /sys/bus/scsi/devices/*:0:1:$i 2>/dev/null | head -n1)
      [ -n "$dev" ] && sd=$(ls "$dev/block" 2>/dev/null | head -n1) && sg=$(ls "$dev/scsi_generic" 2>/dev/null | head -n1)
      [ -n "$sd" ] && [ -n "$sg" ] && [ -b "/dev/$sd" ] && [ -c "/dev/$sg" ] && break
      sleep 1; waited=$((waited + 1))
    done
    [ -n "$sd" ] && [ -n "$sg" ] || fail "loopback: LUN $i has no /dev/sdX and /dev/sgN after 60 s"
    export "OFFLOAD_LUN${i}_SD=/dev/$sd" "OFFLOAD_LUN${i}_SG=/dev/$sg" "OFFLOAD_LUN${i}_SERIAL=$serial" \
           "OFFLOAD_LUN${i}_BACKSTORE=$core/fileio_$i/lun$i"
    say "loopback lun $i $(basename "$dev") /dev/$sd /dev/$sg $(cat "$dev/vendor") $(cat "$dev/model")"
    luns="$luns $i"; i=$((i + 1))
  done
  export OFFLOAD_SG_LUNS="${luns# }"
fi
ready "lio $iqn luns=$n loopback=${loopback:-0}"
if [ -x /test/run ]; then
  cd /test
  ./run >/dev/console 2>&1
  rc=$?
  say "EXIT $rc"
  sync
  poweroff -f
fi
while true; do sleep 3600; done
