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
