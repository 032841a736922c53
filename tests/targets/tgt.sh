#!/usr/bin/env bash
# tgt (the userspace iSCSI target, Debian package tgt) on host loopback: the
# negative peer for copy offload (it answers every 0x83/0x84 command with
# INVALID OPERATION CODE).
#   tgt.sh up STATE_DIR [SIZE]   start tgtd on a free 127.0.0.1 port with LUNs 1 and 2,
#                                each a sparse SIZE file (default 64M); write STATE_DIR/env:
#                                TGT_PORT TGT_IQN TGT_URL (iscsi://127.0.0.1:PORT/IQN, append /LUN)
#   tgt.sh down STATE_DIR        stop that tgtd, delete its backing files
# Exit 77 (skip) with a reason when tgtd cannot run here.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 up|down STATE_DIR [SIZE]" >&2; exit 2; }
action=$1 state=$2 size=${3:-64M}
iqn=iqn.2026-01.org.offloadsim:tgt

skip() { echo "tgt: SKIP: $*" >&2; down; exit 77; }

down() {
  local pid
  pid=$(cat "$state/tgtd.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$state/tgtd.pid" "$state"/lun*.img "$state/env"
}

admin() { tgtadm -C "$control" --lld iscsi "$@"; }

up() {
  mkdir -p "$state"
  down
  command -v tgtd >/dev/null && command -v tgtadm >/dev/null || skip "tgtd/tgtadm not installed (package tgt; run scripts/install-deps.sh)"
  [ "$(id -u)" -eq 0 ] || skip "tgtd needs root"
  local port tries started=0
  for tries in 1 2 3; do   # the port can be taken between choosing and binding: retry
    control=$((1000 + RANDOM % 30000))   # tgtd's management socket number (tgtd accepts up to 32767), not a TCP port
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    tgtd -f -C "$control" --iscsi "portal=127.0.0.1:$port" >"$state/tgtd.log" 2>&1 &
    echo $! >"$state/tgtd.pid"
    # tgtd has no readiness signal: ask it every 0.1 s, for up to 60 s (only a
    # broken tgtd takes that long, also on a loaded machine).
    for _ in $(seq 600); do
      if admin --op show --mode sys >/dev/null 2>&1 && ss -ltn "sport = :$port" | grep -q LISTEN; then started=1; break; fi
      kill -0 "$(cat "$state/tgtd.pid")" 2>/dev/null || break
      sleep 0.1
    done
    [ "$started" = 1 ] && break
    down; mkdir -p "$state"
  done
  [ "$started" = 1 ] || skip "tgtd did not answer tgtadm and listen on 127.0.0.1:$port within 60 s, 3 tries (log: $(tail -n 3 "$state/tgtd.log" 2>/dev/null | tr '\n' ' '))"
  admin --op new --mode target --tid 1 -T "$iqn" || skip "tgtadm cannot create the target"
  local lun
  for lun in 1 2; do
    truncate -s "$size" "$state/lun$lun.img"
    admin --op new --mode logicalunit --tid 1 --lun "$lun" -b "$state/lun$lun.img" || skip "tgtadm cannot add LUN $lun"
  done
  admin --op bind --mode target --tid 1 -I ALL || skip "tgtadm cannot bind the target"
  printf 'TGT_PORT=%s\nTGT_IQN=%s\nTGT_URL=iscsi://127.0.0.1:%s/%s\n' "$port" "$iqn" "$port" "$iqn" >"$state/env"
}

case "$action" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down STATE_DIR [SIZE]" >&2; exit 2 ;;
esac
