#!/usr/bin/env bash
# The `offload` command line's conventions: a mistyped subcommand is named
# with the nearest one suggested; --version prints the project's version;
# an option error names its subcommand and points to that subcommand's
# --help; --help shows the defaults; --progress off a terminal prints no
# line before the first byte and the 100 % line once. Needs no root.
# Usage: conventions_test.sh OFFLOAD_BINARY PROJECT_VERSION
set -uo pipefail
offload=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") version=$2
lib_dir=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/offload-conv-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
source "$lib_dir/check_lib.sh"
expect() { local what=$1 code=$2 text=$3; shift 3; expect_message "$what" "$code" "$text" 1 "$@"; }

expect "cpp" 2 "offload: 'cpp' is not a command; did you mean 'cp'? (see 'offload --help')" "$offload" cpp a b
expect "simm" 2 "did you mean 'sim'?" "$offload" simm x.toml
expect "calibrat" 2 "did you mean 'calibrate'?" "$offload" calibrat
expect "unrelated word" 2 "commands: advise, calibrate, compare, cp, report, sim" "$offload" frobnicate
ok test "$("$offload" --version)" = "offload $version"
expect "cp: missing operand" 2 "offload: cp: DST is required (see 'offload cp --help')" "$offload" cp a
expect "sim: bad --jobs" 2 "(see 'offload sim --help')" "$offload" sim x.toml --jobs many
expect "compare: bad method" 2 "offload: compare: --methods: " "$offload" compare --methods teleport
expect "calibrate: value checked after parsing" 2 "offload: calibrate: --sizes: give at least two different sizes" \
  "$offload" calibrate --dir . --sizes 4MiB
expect "calibrate: points to its help" 2 "(see 'offload calibrate --help')" "$offload" calibrate --dir . --sizes 4MiB
help=$("$offload" cp --help)
ok grep -qE -- "--method .*=auto" <<<"$help"
ok grep -qE -- "--host-chunk TEXT=4MiB" <<<"$help"
ok grep -qE -- "--queue-depth .*=8" <<<"$help"
ok grep -qE -- "--sizes .*=\[16MiB,64MiB,256MiB\]" <<<"$("$offload" calibrate --help)"
ok grep -qE -- "--size TEXT=256MiB" <<<"$("$offload" compare --help)"
ok test -z "$(for c in cp compare sim calibrate report advise; do "$offload" "$c" --help | grep -F "=[]"; done)"

# --progress into a file: a 4 MiB copy in 64 KiB operations; the 100 % line once.
head -c $((4 << 20)) /dev/urandom > src
"$offload" cp src dst --progress --method host --host-chunk 64KiB --queue-depth 1 2>progress.txt >/dev/null
ok cmp -s src dst
ok test "$(grep -c '100%' progress.txt)" -eq 1
ok test "$(grep -c -e '0 B/s' -e 'none' progress.txt)" -eq 0
finish
