#!/usr/bin/env bash
# `offload sim`, `offload report` and `offload compare` on bad input: a clear
# message naming the file or option, a non-zero exit, never a stack trace
# (C++ terminate, Python traceback, sanitizer report), never a hang, and
# nothing half-written. Odd but valid paths (spaces, unicode, relative) work.
# Root-only checks (a read-only mount) skip without root.
# Usage: bad_input_test.sh OFFLOAD_BINARY SCENARIO_DIR
set -uo pipefail
offload=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
scenarios=$(cd "$2" && pwd)
lib_dir=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/offload-badin-XXXXXX)
trap 'umount "$dir/ro" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1

source "$lib_dir/check_lib.sh"
expect() { expect_message "$@"; }  # DESCRIPTION CODE TEXT MAX_LINES COMMAND...

mkfifo fifo
mkdir emptydir
printf 'not a file' > notadir
head -c 4096 /dev/urandom > garbage

# A valid, tiny scenario (well under a second per run).
cat > tiny.toml <<'EOF'
[scenario]
name = "tiny"
network_model = "CM02"
methods = ["host", "nfs-copy"]

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
EOF
sed 's/size = "64MiB"/size = nan/' tiny.toml > nan.toml
sed 's/bandwidth = "10Gbps"/bandwidth = 0/' tiny.toml > zero-bw.toml
sed 's/name = "client"/name = "client"\nnick = "x"/' tiny.toml > unknown-key.toml
sed 's/size = "64MiB"/size = "64 parsecs"/' tiny.toml > bad-unit.toml

echo "--- offload sim"
expect "sim: missing file" 2 "nope.toml" 1 "$offload" sim nope.toml
expect "sim: directory as file" 2 "emptydir" 1 "$offload" sim emptydir
expect "sim: FIFO (no hang)" 1 "fifo: not a regular file" 1 "$offload" sim fifo
expect "sim: /proc file" 1 "/proc/self/status:1: TOML syntax error" 20 "$offload" sim /proc/self/status
expect "sim: binary garbage" 1 "garbage:" 20 "$offload" sim garbage
: > empty.toml
expect "sim: empty file" 1 "empty.toml" 1 "$offload" sim empty.toml
expect "sim: unknown key" 1 "unknown-key.toml:8: [[host]] #1 'client': unknown key 'nick'" 1 "$offload" sim unknown-key.toml
expect "sim: bad unit" 1 "parsecs" 1 "$offload" sim bad-unit.toml
expect "sim: size = nan" 1 "key 'size': a size must be a finite number" 1 "$offload" sim nan.toml
expect "sim: bandwidth = 0" 1 "key 'bandwidth': a rate must be above zero" 1 "$offload" sim zero-bw.toml
expect "sim: --jobs not a number" 2 "--jobs" 1 "$offload" sim tiny.toml --jobs many
expect "sim: unknown flag" 2 "--fast" 1 "$offload" sim tiny.toml --fast
expect "sim: --out is a file" 1 "notadir" 1 "$offload" sim tiny.toml --out notadir --quiet
expect "sim: --out through a file" 1 "notadir/x" 1 "$offload" sim tiny.toml --out notadir/x --quiet
ok test "$(cat notadir)" = "not a file"
mkdir -p "odd dir/ünï €"
cp tiny.toml "odd dir/ünï €/tiny run.toml"
ok "$offload" sim "odd dir/ünï €/tiny run.toml" --out "odd dir/résultats" --quiet
ok test -s "odd dir/résultats/results.json"
ok test -s "odd dir/résultats/runs.csv"

echo "--- offload report"
has_report=0; [ -f "$(dirname "$offload")/python/offloadsim/report/__main__.py" ] || [ -n "${OFFLOAD_PYTHONPATH:-}" ] && has_report=1
if [ $has_report = 1 ]; then
  expect "report: missing input" 1 "nope.json: no such file or directory" 1 "$offload" report nope.json --out r1
  expect "report: FIFO (no hang)" 1 "fifo: not a regular file" 1 "$offload" report fifo --out r1
  expect "report: garbage" 1 "offload report: garbage: " 1 "$offload" report garbage --out r1
  expect "report: empty directory" 1 "emptydir: no results.json" 1 "$offload" report emptydir --out r1
  echo '{"kind": "something else"}' > other.json
  expect "report: JSON of another kind" 1 "other.json: not a recognised results file" 1 "$offload" report other.json --out r1
  echo '[{"method": "host", "summary": 5}]' > broken.json
  expect "report: malformed results" 1 "broken.json: malformed" 1 "$offload" report broken.json --out r1
  ok test ! -e r1/index.html
  expect "report: no input" 2 "INPUT" 1 "$offload" report
  expect "report: --out through a file" 1 "notadir" 1 "$offload" report "odd dir/résultats" --out notadir/r
  ok "$offload" report "odd dir/résultats" --out "odd dir/rapport ü"
  ok test -s "odd dir/rapport ü/index.html"
else
  echo "skip report checks: this build has no Python package (OFFLOAD_BUILD_PYTHON=OFF)"
fi

echo "--- offload compare"
expect "compare: missing --dir" 2 "--dir" 1 "$offload" compare --dir nope
expect "compare: --dir is a file" 2 "--dir" 1 "$offload" compare --dir notadir
expect "compare: bad size" 2 "--size" 1 "$offload" compare --dir emptydir --size lots
expect "compare: unknown method" 2 "--methods" 1 "$offload" compare --dir emptydir --methods teleport
expect "compare: --repeat 0" 2 "--repeat" 1 "$offload" compare --dir emptydir --repeat 0
expect "compare: report dir missing" 1 "missing/report.json" 1 "$offload" compare --dir emptydir --size 1MiB --report missing/report.json
ok test -z "$(ls -A emptydir)"
mkdir "odd dir/cmp ü"
ok "$offload" compare --dir "odd dir/cmp ü" --size 1MiB --repeat 1 --methods host --report "odd dir/cmp ü.json"
ok test -s "odd dir/cmp ü.json"
ok test -z "$(ls -A "odd dir/cmp ü")"

if [ "$(id -u)" -eq 0 ]; then
  mkdir ro
  if mount -t tmpfs -o size=8M,ro tmpfs ro; then
    expect "compare: read-only --dir" 1 "Read-only file system" 1 "$offload" compare --dir ro --size 1MiB --repeat 1
    expect "sim: --out on a read-only fs" 1 "Read-only file system" 1 "$offload" sim tiny.toml --out ro/results --quiet
    [ $has_report = 0 ] ||
      expect "report: --out on a read-only fs" 1 "Read-only file system" 1 "$offload" report "odd dir/résultats" --out ro/r
    umount ro
  else
    failed=$((failed + 1)); echo "FAIL cannot mount a tmpfs as root"
  fi
  rmdir ro
elif [ "${OFFLOAD_REQUIRE_REAL_FS:-}" = 1 ]; then
  failed=$((failed + 1)); echo "FAIL OFFLOAD_REQUIRE_REAL_FS=1 but not root: read-only mount checks need root"
else
  echo "skip read-only filesystem checks (not root)"
fi

finish
