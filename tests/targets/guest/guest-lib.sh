# Sourced by every guest /init (busybox sh): mounts, modules, serial messages.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

# One line on the serial console, prefixed so the host can grep it.
say() { echo "OFFLOAD-GUEST: $*" >/dev/console; }
# The host is waiting for this line (or for FAILED) in the serial log.
ready() { say "READY $* (guest uptime $(cut -d" " -f1 /proc/uptime) s)"; }
fail() { say "FAILED $*"; poweroff -f; }

# insmod every module in /etc/modules.order; report the ones that refuse.
load_modules() {
  local ko
  while read -r ko; do
    insmod "/lib/modules/$ko" 2>/dev/null || say "insmod $ko failed (continuing)"
  done </etc/modules.order
}

# Safety net: the guest powers itself off after offload.lifetime seconds, so
# a host process killed before its clean-up cannot leave it running.
for arg in $(cat /proc/cmdline); do
  case "$arg" in offload.lifetime=*) lifetime=${arg#offload.lifetime=} ;; esac
done
(sleep "${lifetime:-1800}"; say "lifetime of ${lifetime:-1800} s over: powering off"; poweroff -f) &

# With offload.veth=1 on the command line (nfs-guest.sh / lio-guest.sh with
# OFFLOAD_GUEST_VETH=1): a veth pair between this (the server's) network
# namespace, veth-s 10.9.0.1, and the namespace "client", veth-c 10.9.0.2,
# so that the traffic between them crosses one link per direction that tc
# can shape (tbf on each end). Needs iproute2's ip (fetch-iproute2.sh puts
# it in /usr/local/sbin: busybox's ip has no netns) and the veth module.
#   veth_wanted && make_client_netns
veth_wanted() { grep -q 'offload.veth=1' /proc/cmdline; }
make_client_netns() {
  local ip=/usr/local/sbin/ip
  $ip netns add client || fail "veth: ip netns add client failed"
  $ip link add veth-s type veth peer name veth-c || fail "veth: cannot create the veth pair (veth loaded?)"
  $ip link set veth-c netns client
  $ip addr add 10.9.0.1/24 dev veth-s
  $ip link set veth-s up
  $ip -n client addr add 10.9.0.2/24 dev veth-c
  $ip -n client link set veth-c up
  $ip -n client link set lo up
  say "veth: server 10.9.0.1 (veth-s) <-> client namespace 10.9.0.2 (veth-c)"
}
