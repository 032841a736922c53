#!/usr/bin/env bash
# `offload sim -j N`: runs side by side give the files and table of a serial
# run (-j 1), byte for byte but for wall_s (each run's own wall time); a
# failing run is named with its stderr, the other runs are ended and no
# results file is written; SIGTERM / SIGINT end every run (exit 128 + signal).
# The failing and the never-ending runs come from a stand-in offload-sim-run
# beside a copy of `offload` (it starts the program beside itself); the
# stand-in announces each start on a FIFO, so the signals are sent once the
# runs are running, without sleeps. Needs no root.
# Usage: sim_jobs_test.sh OFFLOAD_BINARY
set -uo pipefail
offload=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
lib_dir=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/offload-jobs-XXXXXX)
# Stand-in runs still alive after a failed check are ended here.
trap '[ -f "$dir/pids" ] && xargs -r kill -KILL <"$dir/pids" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1
source "$lib_dir/check_lib.sh"
mkdir tmp
export TMPDIR=$dir/tmp

# Two sweep points x three methods, well under a second per run.
cat > sweep.toml <<'EOF'
[scenario]
name = "jobs"
network_model = "CM02"
methods = ["host", "nfs-copy", "nfs-copy-sync"]

[[host]]
name = "client"

[[nfs_server]]
name = "filer"
disk = { read = "1GBps", write = "1GBps" }

[[link]]
name = "lan"
bandwidth = "10Gbps"
between = ["client", "filer"]

[[copy]]
on = "client"
from = "filer:/a"
to = "filer:/b"
size = "64MiB"

[sweep]
"link.lan.bandwidth" = ["1Gbps", "10Gbps"]
EOF

echo "--- -j 1 and -j 2 give the same results"
"$offload" sim sweep.toml -j 1 --out serial >serial.txt 2>serial.err; ok test $? -eq 0
"$offload" sim sweep.toml -j 2 --out parallel >parallel.txt 2>parallel.err; ok test $? -eq 0
for file in runs.csv copies.csv; do ok cmp "serial/$file" "parallel/$file"; done
# results.json: one "wall_s" line per run (host seconds); all else byte for byte.
mask_wall() { sed 's/"wall_s": [0-9.e+-]*/"wall_s": WALL/' "$1"; }
ok test "$(grep -c '"wall_s": ' serial/results.json)" -eq 6
ok cmp <(mask_wall serial/results.json) <(mask_wall parallel/results.json)
ok cmp <(sed 's/serial/OUT/' serial.txt) <(sed 's/parallel/OUT/' parallel.txt)
ok grep -q '^\[6/6\] link.lan.bandwidth=10Gbps ' parallel.err
ok test -z "$(ls -A tmp)"

# A stand-in offload-sim-run (FILE --point P --method M --output OUT): nfs-copy
# fails with a message; host never ends (and announces itself on the FIFO
# \$STARTED_FIFO when set); the others run the real program.
mkdir bin
cp "$offload" bin/offload
mkfifo started
cat > bin/offload-sim-run <<EOF
#!/usr/bin/env bash
case "\$5" in
  nfs-copy) echo "injected failure at point \$3" >&2; exit 3 ;;
  host) echo \$\$ >>"$dir/pids"; [ -z "\${STARTED_FIFO:-}" ] || echo "\$3 \$5" >"\$STARTED_FIFO"; exec sleep 600 ;;
  *) exec "$(dirname "$offload")/offload-sim-run" "\$@" ;;
esac
EOF
chmod +x bin/offload-sim-run
exec 3<>started  # held open, so a start never waits for the test to read

# all_ended: every stand-in run that started is gone.
all_ended() {
  local pid
  [ -f pids ] || return 0
  while read -r pid; do kill -0 "$pid" 2>/dev/null && return 1; done <pids
  return 0
}
# no_results DIR: no results file (final or partial) in DIR and no scratch left.
no_results() { [ -z "$(ls -A "$1" 2>/dev/null)" ] && [ -z "$(ls -A tmp)" ]; }

echo "--- a failing run"
# -j 2: host (point 0) never ends, nfs-copy fails: the error names the run
# with its stderr, host's process is ended, nothing is written.
expect_message "failing run, -j 2" 1 \
  "simulation run 'link.lan.bandwidth=1Gbps nfs-copy' failed (exit 3); its stderr: injected failure at point 0" 1 \
  bin/offload sim sweep.toml -j 2 --out failed --quiet
ok all_ended
ok no_results failed
# -j 1 with nfs-copy first: it fails before any other run starts.
sed 's/methods = .*/methods = ["nfs-copy", "host"]/' sweep.toml > fail-first.toml
rm -f pids
expect_message "failing run, -j 1" 1 "simulation run 'link.lan.bandwidth=1Gbps nfs-copy' failed (exit 3)" 1 \
  bin/offload sim fail-first.toml -j 1 --out failed --quiet
ok test ! -e pids
ok no_results failed

echo "--- stop signals"
# stop_while_running SIGNAL: `offload sim -j 2` on two never-ending runs,
# SIGNAL once both have started. Sets rc and err.
sed 's/methods = .*/methods = ["host"]/' sweep.toml > hang.toml
stop_while_running() {
  local signal=$1 line started=0
  rm -f pids
  STARTED_FIFO=$dir/started bin/offload sim hang.toml -j 2 --out stopped 2>err.txt >/dev/null &
  local pid=$!
  while [ $started -lt 2 ] && read -r -t "$check_bound_s" -u 3 line; do started=$((started + 1)); done
  kill -s "$signal" "$pid"
  wait "$pid"; rc=$?
  err=$(cat err.txt)
  [ $started = 2 ] || echo "  (only $started of 2 runs started; stderr: $err)"
}
stop_while_running TERM
ok test "$rc" -eq 143
ok grep -q "offload: sim: stopped by SIGTERM" <<<"$err"
ok test "$(wc -l <pids)" -eq 2
ok all_ended
ok no_results stopped
stop_while_running INT
ok test "$rc" -eq 130
ok grep -q "offload: sim: stopped by SIGINT" <<<"$err"
ok all_ended
ok no_results stopped
finish
