#!/usr/bin/env bash
# `offload cp` on bad input: a one-line message naming the file and the
# cause, a non-zero exit, and no file left behind. Needs no root.
# Usage: cp_errors_test.sh OFFLOAD_BINARY
set -uo pipefail
offload=$1
lib_dir=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/offload-cli-XXXXXX)
trap 'umount "$dir/ro" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1
head -c 3000000 /dev/urandom > src

source "$lib_dir/check_lib.sh"
# expect DESCRIPTION CODE TEXT COMMAND...: a one-line message.
expect() { local what=$1 code=$2 text=$3; shift 3; expect_message "$what" "$code" "$text" 1 "$@"; }

expect "missing source" 1 "nope: cannot open source: No such file or directory (ENOENT)" "$offload" cp nope out1
ok test ! -e out1
cp src taken
expect "destination exists" 1 "taken: destination exists" "$offload" cp src taken
ok cmp -s src taken
expect "destination directory missing" 1 "destination directory missing/dir does not exist" "$offload" cp src missing/dir/x
expect "source is a directory" 1 "source is a directory (EISDIR)" "$offload" cp . out2
expect "same file" 1 "same file and the ranges overlap" "$offload" cp src src --overwrite
expect "unknown flag" 2 "--frobnicate" "$offload" cp src out3 --frobnicate
expect "unknown method" 2 "--method" "$offload" cp src out3 --method teleport
expect "bad size" 2 "parsecs" "$offload" cp src out3 --length 3parsecs
expect "range past the end" 1 "ends past the end of the source" "$offload" cp src out3 --length 4MB
expect "missing operand" 2 "DST" "$offload" cp src
ok test ! -e out3

# Sources that cannot be copied, as root too (root reads any mode bits, so
# "unreadable" here means not a file, not there, or not what it claims).
mkfifo fifo
expect "FIFO as source (no hang)" 1 "fifo: source is not a regular file" "$offload" cp fifo out4
expect "device as source" 1 "/dev/null: a character device that does not accept SG_IO" "$offload" cp /dev/null out4
expect "/proc file as source" 1 "/proc/self/status: source is on procfs" "$offload" cp /proc/self/status out4
expect "sysfs file as source" 1 "source is on sysfs" "$offload" cp /sys/kernel/mm/transparent_hugepage/enabled out4
ln -s nowhere dangling
expect "dangling symlink" 1 "dangling: cannot open source: No such file or directory (ENOENT)" "$offload" cp dangling out4
ln -s loop2 loop1; ln -s loop1 loop2
expect "symlink loop" 1 "(ELOOP)" "$offload" cp loop1 out4
expect "path through a file" 1 "(ENOTDIR)" "$offload" cp src/inner out4
expect "empty source path" 1 "empty source path" "$offload" cp "" out4
long=$(printf 'n%.0s' $(seq 300))
expect "name too long" 1 "(ENAMETOOLONG)" "$offload" cp "$long" out4
ok test ! -e out4
# Destinations that cannot be written.
expect "destination through a file" 1 "src/x" "$offload" cp src src/x
expect "destination ends in /" 1 "destination names a directory" "$offload" cp src newdir/
expect "destination is a FIFO" 1 "fifo: destination is not a regular file" "$offload" cp src fifo --overwrite
expect "destination in /proc" 1 "/proc/offload-test" "$offload" cp src /proc/offload-test
ok test ! -e newdir
# Destination rules: a dangling link is refused in both modes before any data
# moves (cp: "not writing through dangling symlink"); a followed link stays.
expect "dangling destination, --overwrite" 1 "dangling: destination is a dangling symbolic link" "$offload" cp src dangling --overwrite
expect "dangling destination, --atomic" 1 "dangling: destination is a dangling symbolic link" "$offload" cp src dangling --overwrite --atomic
ok test ! -e nowhere
echo old > linked-file; ln -s linked-file link-to-file
ok "$offload" cp src link-to-file --overwrite --atomic
ok test -L link-to-file
ok cmp -s src linked-file
# A pinned method that cannot work here leaves an existing destination as it was.
case "$(stat -f -c %T .)" in
  ext2/ext3|tmpfs)  # no reflink: a pinned clone is refused at submit
    echo keep > kept
    expect "pinned clone without reflink" 1 "the destination was not changed" "$offload" cp src kept --overwrite --method clone
    ok bash -c "[ \"\$(cat kept)\" = keep ]" ;;
esac
# Options that make no sense.
expect "zero host chunk" 2 "--host-chunk" "$offload" cp src out5 --host-chunk 0
expect "huge host chunk" 2 "--host-chunk" "$offload" cp src out5 --host-chunk 1TiB
expect "queue depth 0" 2 "--queue-depth" "$offload" cp src out5 --queue-depth 0
expect "negative offset" 2 "--source-offset" "$offload" cp src out5 --source-offset -5
expect "offset past 2^64" 2 "too large" "$offload" cp src out5 --destination-offset 20000000TB
expect "offset past the end" 1 "past the end of the source" "$offload" cp src out5 --source-offset 1GiB
expect "flag without value" 2 "--method" "$offload" cp src out5 --method
expect "no subcommand" 2 "" "$offload"
expect "unknown subcommand" 2 "'teleport' is not a command" "$offload" teleport src out5
expect "bad test pause" 1 "OFFLOAD_TEST_PAUSE_AFTER_OPS: 'soon' is not a number of operations (EINVAL)" \
  env OFFLOAD_TEST_PAUSE_AFTER_OPS=soon "$offload" cp src out5
ok test ! -e out5

# A read-only filesystem (root: a read-only tmpfs holding a file).
if [ "$(id -u)" -eq 0 ]; then
  mkdir ro
  if mount -t tmpfs -o size=8M tmpfs ro; then
    head -c 100000 /dev/urandom > ro/data
    mount -o remount,ro ro
    expect "destination on a read-only fs" 1 "(EROFS)" "$offload" cp src ro/copy
    expect "atomic copy to a read-only fs" 1 "(EROFS)" "$offload" cp src ro/copy --atomic
    expect "overwrite on a read-only fs" 1 "(EROFS)" "$offload" cp src ro/data --overwrite
    ok "$offload" cp ro/data from-ro
    ok cmp -s ro/data from-ro
    ok test ! -e ro/copy
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

# Odd but valid paths: spaces, unicode, relative, into a directory.
mkdir -p "sub dir/ünï €"
ok "$offload" cp src "sub dir/ünï €/copy of src"
ok cmp -s src "sub dir/ünï €/copy of src"
ok "$offload" cp src "sub dir"
ok cmp -s src "sub dir/src"
ok "$offload" cp ./src ../"$(basename "$dir")"/rel --method host
ok cmp -s src rel
ok "$offload" cp src -- "-dash name"
ok cmp -s src "./-dash name"
ok "$offload" cp src "$(printf 'new\nline')"
ok cmp -s src "$(printf 'new\nline')"
ok "$offload" cp "sub dir/ünï €/copy of src" "./sub dir/../ünï"
ok cmp -s src "ünï"

# JSON status and progress on a pipe.
json=$("$offload" cp src j1 --json --method host)
ok /usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); assert d['state']=='done' and d['bytes_done']==3000000 and d['methods_used']=='host', d" "$json"
progress=$("$offload" cp src p1 --progress --host-chunk 64KiB --queue-depth 1 2>&1 >/dev/null)
ok test -n "$progress"
ok cmp -s src p1

# Atomic copy of a range into a new file.
ok "$offload" cp src r1 --atomic --source-offset 1000 --length 5000
ok bash -c "cmp -s <(tail -c +1001 src | head -c 5000) r1"
ok bash -c "[ -z \"\$(ls -A | grep '^\.')\" ]"

# iSCSI: bad portals are named; a portal that accepts TCP but never answers
# the login fails within the login timeout, naming the phase (no hang).
expect "iscsi: port too big" 1 "port '70000' is not a number from 1 to 65535" "$offload" cp iscsi://127.0.0.1:70000/iqn.x:t/0 iscsi://127.0.0.1:70000/iqn.x:t/1
expect "iscsi: empty host" 1 "empty host" "$offload" cp iscsi://:3260/iqn.x:t/0 iscsi://:3260/iqn.x:t/1
expect "iscsi: command timeout 0" 2 "--iscsi-command-timeout" "$offload" cp iscsi://h/iqn.x:t/0 iscsi://h/iqn.x:t/1 --iscsi-command-timeout 0
coproc SILENT { exec /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(120)'; }
silent=$SILENT_PID
# The listener prints its port once it listens: read it, waiting at most 30 s.
if read -r -t 30 port <&"${SILENT[0]}"; then
  url="iscsi://127.0.0.1:$port/iqn.2026-01.test:silent"
  expect "iscsi: silent portal" 1 "login to iqn.2026-01.test:silent at 127.0.0.1:$port (LUN 0): no answer within 1 s (ETIMEDOUT)" \
    timeout 60 "$offload" cp --iscsi-login-timeout 1 "$url/0" "$url/1"
else
  failed=$((failed + 1)); echo "FAIL iscsi: silent portal: the loopback listener printed no port within 30 s"
fi
kill "$silent" 2>/dev/null; wait "$silent" 2>/dev/null

# `offload calibrate`: bad options are named before anything is measured.
mkdir cal
expect "calibrate: one size" 2 "--sizes: give at least two different sizes" "$offload" calibrate --dir cal --sizes 4MiB
expect "calibrate: tiny size" 2 "--sizes: '4KiB' is below 1MiB" "$offload" calibrate --dir cal --sizes 4KiB,8MiB
expect "calibrate: bad size" 2 "--sizes" "$offload" calibrate --dir cal --sizes 3parsecs,8MiB
expect "calibrate: too big" 2 "the largest size needs" "$offload" calibrate --dir cal --sizes 1MiB,900TiB
expect "calibrate: queue depth 0" 2 "--queue-depths" "$offload" calibrate --dir cal --queue-depths 0,4
expect "calibrate: unknown method" 2 "--methods" "$offload" calibrate --dir cal --methods host,teleport
expect "calibrate: missing dir" 2 "--dir" "$offload" calibrate --dir nowhere
expect "calibrate: no host" 2 "--methods: include host" "$offload" calibrate --dir cal --sizes 1MiB,2MiB --methods kernel-copy --out calout
ok test ! -e calout
ok test -z "$(ls -A cal)"

finish
