#!/usr/bin/env bash
# `offload compare` and `offload calibrate` stopped by a signal in the middle
# of a copy: exit 128 + the signal (130 for Ctrl-C), no source or copy left
# in the measured directory, no report, no calibration (an earlier one stays
# as it was). Without --dir they measure in a temporary directory under
# $TMPDIR, never in the current one, and remove it. The copy is caught
# mid-way by the test pause (OFFLOAD_TEST_PAUSE_AFTER_OPS, cli/test_pause.hpp):
# no sleeps. Needs no root.
# Usage: stop_test.sh OFFLOAD_BINARY
set -uo pipefail
offload=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
lib_dir=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/offload-stop-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
mkdir cwd measured tmp
export TMPDIR=$dir/tmp
source "$lib_dir/check_lib.sh"

# stop_mid_copy SIGNAL COMMAND...: runs COMMAND with the test pause after one
# operation, sends SIGNAL once the copy holds there, then lets it go on.
# Sets rc (its exit status), err (its stderr) and out (its stdout).
stop_mid_copy() {
  local signal=$1 line held=0; shift
  err="" out=""
  coproc RUN { cd "$dir/cwd" && exec env OFFLOAD_TEST_PAUSE_AFTER_OPS=1 "$@" 2>&1 >"$dir/stdout"; }
  local pid=$RUN_PID in_fd=${RUN[1]} out_fd=${RUN[0]}
  while IFS= read -r -t "$check_bound_s" line <&"$out_fd"; do
    err+="$line"$'\n'
    if [[ $line == *"test pause: holding before operation 2"* ]]; then held=1; break; fi
  done
  [ $held = 1 ] && kill -s "$signal" "$pid"
  echo >&"$in_fd"  # the held operation goes on; the copy sees the cancel
  err+=$(timeout "$check_bound_s" cat <&"$out_fd")
  wait "$pid"; rc=$?
  out=$(cat "$dir/stdout")
  [ $held = 1 ] || echo "  (the copy never held at the pause; stderr: $err)"
}

# nothing_left DIR: no file of a measurement in DIR.
nothing_left() { [ -z "$(ls -A "$1")" ]; }

echo "--- offload compare"
stop_mid_copy INT "$offload" compare --dir "$dir/measured" --size 4MiB --methods host,kernel-copy --repeat 2 \
  --queue-depth 1 --report "$dir/report.json"
ok test "$rc" -eq 130
ok grep -q "offload: compare: stopped by SIGINT" <<<"$err"
ok nothing_left "$dir/measured"
ok test ! -e "$dir/report.json"
ok test -z "$out"
stop_mid_copy PIPE "$offload" compare --dir "$dir/measured" --size 4MiB --methods host --repeat 2 --queue-depth 1
ok test "$rc" -eq 141
ok nothing_left "$dir/measured"
stop_mid_copy TERM "$offload" compare --size 4MiB --methods host --repeat 2 --queue-depth 1
ok test "$rc" -eq 143
ok grep -q "no --dir: measuring in $dir/tmp/offload-compare-" <<<"$err"
ok nothing_left "$dir/tmp"
ok nothing_left "$dir/cwd"
# A whole run without --dir: the table, and nothing left anywhere.
out=$(cd cwd && "$offload" compare --size 2MiB --methods host --repeat 1 2>"$dir/err"); rc=$?
ok test "$rc" -eq 0
ok grep -q "no --dir: measuring in $dir/tmp/offload-compare-" "$dir/err"
ok grep -q "^[a-z0-9]* *host .*ok, verified" <<<"$out"
ok nothing_left "$dir/tmp"
ok nothing_left "$dir/cwd"

echo "--- offload calibrate"
calibrate=("$offload" calibrate --sizes 1MiB,2MiB --methods host --queue-depths 1 --repeat 2)
stop_mid_copy INT "${calibrate[@]}" --dir "$dir/measured" --out "$dir/cal-new"
ok test "$rc" -eq 130
ok grep -q "offload: calibrate: stopped by SIGINT" <<<"$err"
ok nothing_left "$dir/measured"
ok test ! -e "$dir/cal-new"
# An earlier calibration in --out stays as it was, with nothing beside it.
mkdir cal-old && echo "# earlier" > cal-old/calibration.toml
stop_mid_copy HUP "${calibrate[@]}" --dir "$dir/measured" --out "$dir/cal-old"
ok test "$rc" -eq 129
ok test "$(ls -A cal-old)" = calibration.toml
ok test "$(cat cal-old/calibration.toml)" = "# earlier"
stop_mid_copy INT "${calibrate[@]}" --out "$dir/cal-new"
ok test "$rc" -eq 130
ok grep -q "no --dir: measuring in $dir/tmp/offload-calibrate-" <<<"$err"
ok nothing_left "$dir/tmp"
ok nothing_left "$dir/cwd"
ok test ! -e "$dir/cal-new"

finish
