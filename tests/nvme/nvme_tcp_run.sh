#!/bin/sh
# /test/run of the NVMe/TCP guest (busybox sh; nvme-init.sh with
# offload.nvme_tcp_mib set): the in-guest checks of nvme_tcp_guest_test,
# then at each link rate the host-mediated copy timings (its measure mode).
# The link is the veth pair veth-s (nvmet, 10.9.0.1) / veth-c (the NVMe/TCP
# host's namespace "client"): each rate shapes both ends' egress with tbf
# (iproute2's tc; busybox tc has no tbf); the bucket holds 256 KiB since veth
# passes GSO packets of up to 64 KiB. Parameters from /test/params:
# SIZES (e.g. 1MiB,4MiB), REPEAT, RATES (e.g. "unthrottled 1gbit"), NODES
# ("block": ioctl passthrough; "generic": /dev/ngXnY, io_uring).
. /test/params
T=/test/nvme_tcp_guest_test
tc=/usr/local/sbin/tc
in_client="nsenter --net=/run/netns/client"
shape() {
  $tc qdisc del dev veth-s root 2>/dev/null; $in_client $tc qdisc del dev veth-c root 2>/dev/null
  [ "$1" = unthrottled ] && return 0
  $tc qdisc add dev veth-s root tbf rate "$1" burst 256kb latency 200ms || return 1
  $in_client $tc qdisc add dev veth-c root tbf rate "$1" burst 256kb latency 200ms || return 1
  echo "nvme-tcp-run: shaped to $1: $($tc qdisc show dev veth-s) / $($in_client $tc qdisc show dev veth-c)"
}
rc=0
$T --gtest_color=no || rc=1
for rate in $RATES; do
  shape "$rate" || { echo "nvme-tcp-run: cannot shape the link to $rate"; rc=1; continue; }
  for node in $NODES; do
    $T measure --rate "$rate" --sizes "$SIZES" --repeat "$REPEAT" --node "$node" || rc=1
  done
done
shape unthrottled
# The fabric's own story (connects, resets, timeouts): the kernel runs quiet on the console.
dmesg | grep -iE 'nvme|nvmet' | tail -n 40 | sed 's/^/dmesg: /'
exit $rc
