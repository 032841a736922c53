#!/bin/sh
# /init of the SMB guest: ksmbd (the in-kernel SMB3 server, with
# ksmbd.mountd from ksmbd-tools) shares the XFS disk /dev/vda (reflink=1) as
# "xfs" and the ext4 disk /dev/vdb as "ext4"; the Linux SMB client (cifs)
# mounts both over loopback with SMB 3.1.1 at /mnt/smb-xfs and
# /mnt/smb-ext4; /test/run (the program under test) runs with
#   OFFLOAD_SMB_XFS, OFFLOAD_SMB_EXT4          the two mounts
#   OFFLOAD_SMB_XFS_EXPORT, OFFLOAD_SMB_EXT4_EXPORT  the shared directories, as the server sees them
#   OFFLOAD_SMB_WIRE_COUNTERS  interface byte counters (sysfs files) that together
#                              count every byte of the SMB connection once
# then "OFFLOAD-GUEST: EXIT rc" is printed and the guest powers off.
# With offload.veth=1 the client mounts from the network namespace "client"
# over a veth pair (guest-lib.sh make_client_netns) instead of loopback.
. /lib/guest-lib.sh
load_modules
ip link set lo up
server=127.0.0.1 in_client=""
# On loopback every packet is sent once and received once: tx alone counts it.
counters=/sys/class/net/lo/statistics/tx_bytes
if veth_wanted; then
  make_client_netns
  server=10.9.0.1 in_client="nsenter --net=/run/netns/client"
  counters="/sys/class/net/veth-s/statistics/tx_bytes /sys/class/net/veth-s/statistics/rx_bytes"
fi
mkdir -p /srv/xfs /srv/ext4 /mnt/smb-xfs /mnt/smb-ext4
mount -t xfs /dev/vda /srv/xfs || fail "smb: cannot mount the XFS disk /dev/vda"
mount -t ext4 /dev/vdb /srv/ext4 || fail "smb: cannot mount the ext4 disk /dev/vdb"
chmod 1777 /srv/xfs /srv/ext4
# The SMB user maps to the Unix user of the same name; uid 0 so the files
# it creates belong to the same owner as the ones the test writes locally.
echo 'offload:x:0:0:offload:/:/bin/sh' >>/etc/passwd
cat >/etc/ksmbd/ksmbd.conf <<'CONF'
[global]
	server min protocol = SMB3_11
	server signing = disabled
	smb2 leases = yes
[xfs]
	path = /srv/xfs
	writeable = yes
	valid users = offload
[ext4]
	path = /srv/ext4
	writeable = yes
	valid users = offload
CONF
ksmbd.adduser -a offload -p offload >/dev/null || fail "smb: ksmbd.adduser failed"
ksmbd.mountd || fail "smb: ksmbd.mountd failed (ksmbd loaded?)"
options="username=offload,password=offload,vers=3.1.1"
# ksmbd.mountd answers the kernel once its netlink handshake is done: retry briefly.
for share in xfs ext4; do
  tries=0
  until $in_client mount.cifs "//$server/$share" "/mnt/smb-$share" -o "$options"; do
    tries=$((tries + 1)); [ "$tries" -lt 10 ] || fail "smb: cannot mount //$server/$share"
    sleep 1
  done
  say "smb mounted: $(grep " /mnt/smb-$share " /proc/mounts)"
done
ready "smb /mnt/smb-xfs /mnt/smb-ext4"
cd /test
OFFLOAD_SMB_XFS=/mnt/smb-xfs OFFLOAD_SMB_EXT4=/mnt/smb-ext4 OFFLOAD_SMB_XFS_EXPORT=/srv/xfs \
  OFFLOAD_SMB_EXT4_EXPORT=/srv/ext4 OFFLOAD_SMB_WIRE_COUNTERS="$counters" ./run >/dev/console 2>&1
rc=$?
say "EXIT $rc"
umount /mnt/smb-xfs /mnt/smb-ext4; ksmbd.control -s 2>/dev/null; umount /srv/xfs /srv/ext4 2>/dev/null
sync
poweroff -f
