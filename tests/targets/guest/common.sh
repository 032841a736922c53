# Shared settings for the QEMU guest scripts (sourced, not run).
#   OFFLOAD_GUEST_CACHE     where downloads and builds are kept (default build/guest-cache)
#   OFFLOAD_GUEST_LIFETIME  seconds after which a guest powers itself off (default 1800)
#   OFFLOAD_GUEST_SMP       virtual CPUs (default 2)
#   OFFLOAD_GUEST_SUITE     Debian suite the guest kernel comes from (default: the
#                           host's apt sources; e.g. bookworm-backports, read
#                           through a private apt list under the cache)
guest_src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
guest_repo_dir=$(cd "$guest_src_dir/../../.." && pwd)
guest_cache=${OFFLOAD_GUEST_CACHE:-$guest_repo_dir/build/guest-cache}
guest_suite=${OFFLOAD_GUEST_SUITE:-}
# dpkg-deb -x of the Debian kernel image package (one per suite)
guest_kernel_dir=$guest_cache/kernel${guest_suite:+-$guest_suite}

guest_log() { echo "guest: $*" >&2; }
# Exit 77 (skip) with a reason; callers fail on it when OFFLOAD_REQUIRE_REAL_FS=1.
guest_skip() { echo "guest: SKIP: $*" >&2; exit 77; }

# apt options that read one Debian suite (deb.debian.org, main) through a
# private source list and package lists under the cache, leaving the host's
# apt configuration alone; refreshed once a day. Sets the array guest_apt.
#   guest_apt_suite SUITE
guest_apt_suite() {
  local dir=$guest_cache/apt-$1
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb http://deb.debian.org/debian $1 main" >"$dir/sources.list"
  guest_apt=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
  if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null)" ]; then
    apt-get -q "${guest_apt[@]}" update >&2 || return 1
  fi
}

# The kernel version inside $guest_kernel_dir (its lib/modules/VERSION).
guest_kernel_version() { ls "$guest_kernel_dir/lib/modules" 2>/dev/null | head -n1 || true; }

# Copies every shared library BINARY needs (ldd) under ROOT at the host's
# path (the guests have none); fails naming the library when the host lacks it.
#   guest_copy_libraries BINARY ROOT
guest_copy_libraries() {
  local binary=$1 root=$2 lib extra
  ldd "$binary" | awk '/=> not found/ {print "missing " $1} /=> \// {print $3} /^\t\/lib64/ {print $1}' |
    while read -r lib extra; do
      [ "$lib" = missing ] && { echo "guest: $binary needs $extra, not on the host (run scripts/install-deps.sh)" >&2; return 1; }
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
}

# A TCP port on 127.0.0.1 that nothing listens on now.
guest_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Skip (77) unless QEMU and a fetched kernel are usable here.
guest_require_qemu() {
  command -v qemu-system-x86_64 >/dev/null || guest_skip "qemu-system-x86_64 not installed (run scripts/install-deps.sh)"
  [ -n "$(guest_kernel_version)" ] || guest_skip "no guest kernel in $guest_kernel_dir (fetch-kernel.sh failed)"
}

# Starts a TCG guest in the background (-daemonize) with its serial console in
# STATE/serial.log and its pid in STATE/qemu.pid.
#   guest_start STATE INITRD MEM_MIB APPEND [QEMU ARG]...
guest_start() {
  local state=$1 initrd=$2 mem=$3 append=$4 version; shift 4
  version=$(guest_kernel_version)
  rm -f "$state/serial.log" "$state/qemu.pid"
  qemu-system-x86_64 -machine q35,accel=tcg -cpu max -smp "${OFFLOAD_GUEST_SMP:-2}" -m "$mem" \
    -kernel "$guest_kernel_dir/boot/vmlinuz-$version" -initrd "$initrd" \
    -append "console=ttyS0 rdinit=/init panic=-1 quiet offload.lifetime=${OFFLOAD_GUEST_LIFETIME:-1800} $append" \
    -display none -monitor none -serial "file:$state/serial.log" -no-reboot \
    -pidfile "$state/qemu.pid" -daemonize "$@"
}

# Waits until the guest prints its READY line (0), prints FAILED or exits (1),
# or TIMEOUT seconds pass (1). PATTERN defaults to the READY line.
#   guest_wait STATE TIMEOUT [PATTERN]
guest_wait() {
  local state=$1 timeout=$2 pattern=${3:-'OFFLOAD-GUEST: READY'} waited=0 pid
  pid=$(cat "$state/qemu.pid" 2>/dev/null || true)
  while [ "$waited" -lt "$timeout" ]; do
    if grep -q "$pattern" "$state/serial.log" 2>/dev/null; then
      guest_log "$(grep -m1 "$pattern" "$state/serial.log") (host wait ${waited} s)"; return 0
    fi
    if grep -q 'OFFLOAD-GUEST: FAILED' "$state/serial.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; then
      guest_log "guest stopped before '$pattern'; serial log tail:"; tail -n 30 "$state/serial.log" >&2
      return 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  guest_log "no '$pattern' after ${timeout}s; serial log tail:"; tail -n 30 "$state/serial.log" >&2
  return 1
}

# Kills the guest whose pid is in STATE/qemu.pid and waits for it to exit.
guest_stop() {
  local state=$1 pid i
  pid=$(cat "$state/qemu.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/qemu.pid"
}
