#!/usr/bin/env bash
# Times host, copychunk and duplicate extents in the SMB guest
# (tests/targets/guest/smb-guest.sh: ksmbd on XFS, the Linux SMB client in
# its own network namespace over a veth pair), at each link rate (tc tbf on
# both ends; "unthrottled" = no qdisc; "delay50ms" = netem delay 50ms on both
# ends, the round trip 100 ms longer, no rate limit), REPEAT times each, with
# smb_guest_test's three cases; then the same
# copies in the simulator (bench/smb_guest_model.py: the exchange time
# measured, the link and the server's remap fitted on the first rate, the
# other rates predicted, a delay as the link's latency; with delays, the round
# trips each copy waited for = added time / added round trip). Prints the table; writes OUT/smb-guest-model-vs-real.json
# for `offload report OUT` ("Model vs real (remote paths)").
#   bench/smb_guest_bench.sh BUILD_DIR [OUT_DIR] [SIZE] [RATES] [REPEAT]
#   (defaults: BUILD_DIR/smb-guest-bench, 67108864, "unthrottled 200mbit 50mbit", 3)
# Exit 77 when QEMU or the guest's downloads are unavailable. As root.
set -euo pipefail
build=$(cd "${1:?usage: $0 BUILD_DIR [OUT_DIR] [SIZE] [RATES] [REPEAT]}" && pwd)
out=${2:-$build/smb-guest-bench}
size=${3:-67108864} rates=${4:-unthrottled 200mbit 50mbit} repeat=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"; mkdir -p "$out/test"
cp "$build/tests/smb_guest_test" "$out/test/"
{
  cat <<'HEAD'
#!/bin/sh
# Written by bench/smb_guest_bench.sh: the SMB copies at each link rate.
IN_CLIENT="nsenter --net=/run/netns/client"
tc() { /usr/local/sbin/tc "$@"; }   # iproute2 (busybox has no tc)
# tbf on each end's egress; the bucket holds 256 KiB (veth passes GSO packets of up to 64 KiB).
shape() {
  tc qdisc del dev veth-s root 2>/dev/null; $IN_CLIENT /usr/local/sbin/tc qdisc del dev veth-c root 2>/dev/null
  [ "$1" = unthrottled ] && return 0
  case $1 in delay*)   # netem delay on each end: the round trip grows by twice it
    tc qdisc add dev veth-s root netem delay "${1#delay}" || return 1
    $IN_CLIENT /usr/local/sbin/tc qdisc add dev veth-c root netem delay "${1#delay}" || return 1
    return 0 ;;
  esac
  tc qdisc add dev veth-s root tbf rate "$1" burst 256kb latency 200ms || return 1
  $IN_CLIENT /usr/local/sbin/tc qdisc add dev veth-c root tbf rate "$1" burst 256kb latency 200ms || return 1
}
HEAD
  echo "set -o pipefail; rc=0"
  for rate in $rates; do
    echo "shape $rate || { echo 'smb-bench: cannot shape $rate'; exit 1; }"
    echo "echo 'OFFLOAD-SMB-RATE $rate'"
    # 20 statfs(2) on the share, as `offload advise` probes the round trip (/proc/uptime: 10 ms ticks)
    echo 't0=$(cut -d" " -f1 /proc/uptime); for i in $(seq 20); do stat -f "$OFFLOAD_SMB_XFS" >/dev/null; done'
    echo 'echo "OFFLOAD-SMB-STATFS 20 $(awk -v t0=$t0 "{print \$1 - t0}" /proc/uptime)"'
    for _ in $(seq "$repeat"); do
      # The last repetition's destinations, removed through the mounts: the test unlinks them on
      # the server, which the client's cached directory (its lease on the share root) may not see
      # for up to 30 s (an 8 MiB run's next clone then failed with EEXIST).
      echo 'rm -f "$OFFLOAD_SMB_XFS"/dst-* "$OFFLOAD_SMB_EXT4"/dst-*'
      echo "OFFLOAD_SMB_FILE_BYTES=$size ./smb_guest_test --gtest_color=no \\"
      echo "  --gtest_filter='*HostMoves*:*KernelCopyIsCopychunk*:*CloneIsDuplicateExtents*' | grep -v '^\\[ \\|^\$' || rc=1"
    done
  done
  echo 'exit $rc'
} >"$out/test/run"
chmod +x "$out/test/run"
OFFLOAD_GUEST_VETH=1 OFFLOAD_GUEST_RUN_TIMEOUT=${OFFLOAD_GUEST_RUN_TIMEOUT:-3000} OFFLOAD_GUEST_LIFETIME=3600 \
  OFFLOAD_GUEST_CACHE=${OFFLOAD_GUEST_CACHE:-$build/guest-cache} \
  bash "$here/../tests/targets/guest/smb-guest.sh" "$out/state" "$out/test"
exec /usr/bin/python3 "$here/smb_guest_model.py" --log "$out/state/serial.log" --offload "$build/offload" --out "$out"
