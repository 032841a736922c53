#!/bin/sh
# /init of the NFS guest: exports the XFS disk /dev/vda with nfsd (NFSv4
# only, no rpcbind), mounts it over loopback with NFSv4.2 at /mnt/nfs, runs
# /test/run (the program under test, given OFFLOAD_NFS_DIR and
# OFFLOAD_NFS_EXPORT), prints "OFFLOAD-GUEST: EXIT rc" and powers off.
# With offload.veth=1 the client mounts from the network namespace "client"
# over a veth pair (guest-lib.sh make_client_netns) instead of loopback.
. /lib/guest-lib.sh
load_modules
ip link set lo up
server=127.0.0.1 client=127.0.0.1 in_client=""
if veth_wanted; then
  make_client_netns
  server=10.9.0.1 client=10.9.0.2 in_client="nsenter --net=/run/netns/client"
fi
export_dir=/srv/export mount_dir=/mnt/nfs
mkdir -p "$export_dir" "$mount_dir" /proc/fs/nfsd /var/lib/nfs/v4recovery
mount -t xfs /dev/vda "$export_dir" || fail "nfs: cannot mount the XFS disk /dev/vda"
chmod 1777 "$export_dir"
mount -t nfsd nfsd /proc/fs/nfsd || fail "nfs: cannot mount the nfsd filesystem (nfsd loaded?)"
echo "$export_dir $client(rw,no_root_squash,no_subtree_check,insecure,fsid=1)" >/etc/exports
exportfs -ra || fail "nfs: exportfs failed"
rpc.mountd -N 2 -N 3 --no-udp || fail "nfs: rpc.mountd failed"
# A 10 s grace period (the minimum) instead of 90 s: OPENs wait for it to end.
rpc.nfsd -N 3 -V 4.2 --no-udp -H "$server" --grace-time 10 --lease-time 10 4 || fail "nfs: rpc.nfsd failed"
# nsenter switches only the network namespace: the mount is seen by every process.
$in_client mount -t nfs4 -o vers=4.2,addr="$server" "$server:$export_dir" "$mount_dir" || fail "nfs: NFSv4.2 mount failed"
say "nfs mounted: $(grep " $mount_dir " /proc/mounts)"
ready "nfs $mount_dir"
cd /test
OFFLOAD_NFS_DIR=$mount_dir OFFLOAD_NFS_EXPORT=$export_dir ./run >/dev/console 2>&1
rc=$?
say "EXIT $rc"
umount "$mount_dir"; rpc.nfsd 0; exportfs -ua; umount "$export_dir" 2>/dev/null
sync
poweroff -f
