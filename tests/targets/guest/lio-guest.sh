#!/usr/bin/env bash
# A Linux LIO iSCSI target (EXTENDED COPY) in a QEMU guest, reached from the
# host at 127.0.0.1:PORT only (user networking, restrict=on, hostfwd).
#   lio-guest.sh up STATE_DIR     boot it; write STATE_DIR/env (shell variables below)
#   lio-guest.sh down STATE_DIR   stop it, delete its disk images
#   lio-guest.sh run STATE_DIR TEST_DIR   boot it with LIO's loopback fabric too
#       (the LUNs are also /dev/sdX and /dev/sgN in the guest), run
#       TEST_DIR/run inside (copied to /test; see lio-init.sh for its
#       environment), stop, exit with its status; the serial log stays in
#       STATE_DIR/serial.log and the LUN images in STATE_DIR/lunN.img
# LUNs (sparse raw images on the host, virtio disks in the guest):
#   0, 1  1 GiB each, serials differing in the first digit (copies between LUNs, > 256 MB splits)
#   2, 3  64 MiB each, serials equal in the first 25 hex digits: LIO gives them the same NAA id (the trap)
# STATE_DIR/env: LIO_HOST LIO_PORT LIO_IQN LIO_LUNS LIO_BIG_LUNS LIO_TRAP_LUNS
#   LIO_LUN<N>_SERIAL LIO_LUN<N>_BYTES LIO_URL (iscsi://HOST:PORT/IQN, append /LUN)
# With OFFLOAD_GUEST_VETH=1 (run only) the guest also has a network
# namespace "client" joined by a veth pair (10.9.0.2 -> the target at
# 10.9.0.1:3260; guest-lib.sh make_client_netns), and ip and tc.
# Exit 77 when QEMU or the kernel is unavailable.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: $0 up|down STATE_DIR | run STATE_DIR TEST_DIR" >&2; exit 2; }
action=$1 state=$2 tests=${3:-}
iqn=iqn.2003-01.org.linux-iscsi.offloadsim:lio
# LUNs 2 and 3 share their first 25 hex digits: LIO (6.1) builds the NAA id from
# at most 25 (older kernels: 13), so both get the same id - the trap.
serials=(1a2b3c4d5e6f70001 2b3c4d5e6f7a80002 d00dfeedd00dfeedd00dfeedd0003 d00dfeedd00dfeedd00dfeedd0004)
sizes=(1G 1G 64M 64M)
lio_modules=(crc32c_generic configfs target_core_mod target_core_file iscsi_target_mod virtio_pci virtio_blk virtio_net)
# The loopback fabric and the SCSI disk/generic drivers (crc64_rocksoft_generic: t10-pi's algorithm).
loopback_modules=(scsi_mod crc64_rocksoft_generic sd_mod sg tcm_loop ext4)   # ext4: sg_guest_advise.sh mounts a filesystem on a LUN

down() {
  guest_stop "$state"
  rm -f "$state"/lun*.img "$state/env" "$state/initrd.gz"
}

# up [TEST_DIR]: with TEST_DIR, loopback LUNs too and the program in /test.
up() {
  local test_dir=${1:-} overlay="" modules=("${lio_modules[@]}") extra=() loopback=0
  mkdir -p "$state"
  down
  "$guest_src_dir/fetch-kernel.sh" >/dev/null
  guest_require_qemu
  local initrd=$state/initrd.gz
  if [ -n "$test_dir" ]; then
    overlay=$(mktemp -d "${TMPDIR:-/tmp}/offload-lio-overlay.XXXXXX")
    mkdir -p "$overlay/test"; cp -a "$test_dir"/. "$overlay/test/"
    extra=(-d "$overlay"); modules+=("${loopback_modules[@]}"); loopback=1
    if [ "${OFFLOAD_GUEST_VETH:-0}" = 1 ]; then
      local iproute; iproute=$("$guest_src_dir/fetch-iproute2.sh")
      extra+=(-d "$iproute"); modules+=(veth sch_tbf)
    fi
  fi
  "$guest_src_dir/make-initramfs.sh" "$initrd" "$guest_src_dir/lio-init.sh" "${extra[@]}" "${modules[@]}"
  [ -z "$overlay" ] || rm -rf "$overlay"
  local disks=() n
  for n in "${!serials[@]}"; do
    truncate -s "${sizes[$n]}" "$state/lun$n.img"
    disks+=(-drive "file=$state/lun$n.img,if=virtio,format=raw,cache=unsafe")
  done
  local append="offload.iqn=$iqn offload.serials=$(IFS=,; echo "${serials[*]}") offload.loopback=$loopback" port tries started=0
  if [ "$loopback" = 1 ] && [ "${OFFLOAD_GUEST_VETH:-0}" = 1 ]; then append+=" offload.veth=1"; fi
  for tries in 1 2 3; do   # the free port can be taken between choosing and binding: retry
    port=$(guest_free_port)
    if guest_start "$state" "$initrd" 512 "$append" "${disks[@]}" \
         -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:3260" -device virtio-net-pci,netdev=n0; then
      started=1; break
    fi
  done
  [ "$started" = 1 ] || guest_skip "qemu-system-x86_64 cannot start here"
  local t0=$SECONDS
  guest_wait "$state" "${OFFLOAD_GUEST_BOOT_TIMEOUT:-180}" || { down; echo "lio-guest: the LIO guest did not come up" >&2; exit 1; }
  guest_log "LIO guest ready on 127.0.0.1:$port after $((SECONDS - t0)) s"
  {
    echo "LIO_HOST=127.0.0.1"
    echo "LIO_PORT=$port"
    echo "LIO_IQN=$iqn"
    echo "LIO_URL=iscsi://127.0.0.1:$port/$iqn"
    echo "LIO_LUNS=\"0 1 2 3\""
    echo "LIO_BIG_LUNS=\"0 1\""
    echo "LIO_TRAP_LUNS=\"2 3\""
    for n in "${!serials[@]}"; do
      echo "LIO_LUN${n}_SERIAL=${serials[$n]}"
      echo "LIO_LUN${n}_BYTES=$(stat -c %s "$state/lun$n.img")"
    done
  } >"$state/env"
}

# run TEST_DIR: boot with the program, wait for its EXIT line, stop the guest.
run() {
  [ -d "$tests" ] && [ -x "$tests/run" ] || { echo "lio-guest: $tests/run missing or not executable" >&2; exit 2; }
  trap 'guest_stop "$state"' EXIT
  up "$tests"
  local t1=$SECONDS rc
  guest_wait "$state" "${OFFLOAD_GUEST_RUN_TIMEOUT:-900}" 'OFFLOAD-GUEST: EXIT' || { echo "lio-guest: the program did not finish" >&2; exit 1; }
  rc=$(sed -n 's/.*OFFLOAD-GUEST: EXIT \([0-9]*\).*/\1/p' "$state/serial.log" | tail -n1)
  guest_log "program exited $rc after $((SECONDS - t1)) s in the guest"
  local i
  for i in $(seq 50); do [ -e "$state/qemu.pid" ] && kill -0 "$(cat "$state/qemu.pid")" 2>/dev/null || break; sleep 0.2; done
  guest_stop "$state"
  exit "${rc:-1}"
}

case "$action" in
  up) up ;;
  run) run ;;
  down) down ;;
  *) echo "usage: $0 up|down STATE_DIR" >&2; exit 2 ;;
esac
