#!/usr/bin/env bash
# compare_tools.sh: the engine against the standard tools, in one run, on the
# same files, on freshly loop-mounted ext4, xfs (reflink) and btrfs:
#   (a) offload cp --method host   vs  dd if=SRC of=DST bs=1M     target >= 1.0x
#   (b) offload cp --method auto   vs  cp SRC DST (coreutils)      target >= 1.0x
#   (c) offload cp --method clone  vs  offload cp --method host,
#       of a 1 GiB file, on xfs and btrfs only                     target >= 100x
# Neither side fsyncs. Every measurement runs --rounds times, the two sides
# alternating in order (A B, B A, ...); before each timed run the destination
# is removed, `sync` runs, the page cache is dropped (cold, when
# /proc/sys/vm/drop_caches is writable) or the source is read once (warm),
# and a buffer of twice the file size is touched and freed (prefault: a VM
# that reports free pages to its host, like Firecracker's page_reporting,
# otherwise charges ~1 s/GiB of host faults to whichever run comes after a
# pause). The engine's own submit-to-end time (`--json` "seconds") is kept
# too, to separate process start-up from copying.
# Each side's first copy is checked with cmp. Reported: medians in seconds and
# ratio = other_median / engine_median (>= 1.0 means the engine side is at
# least as fast), beside each ratio the spread of the runs (fastest and
# slowest of each side) and the machine's load (1-minute average from
# /proc/loadavg when the measurement began and ended), as a table on stdout
# and as JSON in --out.
#
# Usage: bench/compare_tools.sh [--offload PATH] [--size 1G] [--rounds 5]
#          [--out FILE] [--cache cold|warm] [--no-prefault] [--engine-args "ARGS"]
#          [--strict]
#   --offload      the offload binary (default: build/offload next to bench/)
#   --size         test file size, K/M/G = KiB/MiB/GiB (default 1G)
#   --rounds       timed runs per side and measurement (default 5)
#   --out          JSON results (default bench-results/compare_tools.json)
#   --cache        cold (default when drop_caches is writable) or warm
#   --no-prefault  skip touching memory before each timed run
#   --engine-args  extra `offload cp` flags, e.g. "--queue-depth 4 --host-chunk 4MiB"
#   --strict       exit 3 when a ratio misses its target
# Exit: 0 done (PASS or MISS alike without --strict), 1 a copy failed or
# differs, 2 bad usage, 3 a MISS with --strict, 77 skipped (not root, tools
# missing or loop mounts impossible).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
offload="$here/../build/offload"
size=1G
rounds=5
out=bench-results/compare_tools.json
cache=""
engine_args=""
prefault=1
strict=0

usage() { sed -n '/^# Usage:/,/^#   --strict/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --offload) offload=${2:?}; shift 2 ;;
    --size) size=${2:?}; shift 2 ;;
    --rounds) rounds=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --cache) cache=${2:?}; shift 2 ;;
    --no-prefault) prefault=0; shift ;;
    --engine-args) engine_args=${2?}; shift 2 ;;
    --strict) strict=1; shift ;;
    -h|--help) usage ;;
    *) echo "compare_tools: unknown argument: $1" >&2; usage ;;
  esac
done

skip() { echo "compare_tools: SKIP: $*" >&2; exit 77; }
die() { echo "compare_tools: $*" >&2; exit 1; }

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "compare_tools: --rounds must be a positive integer" >&2; exit 2; }
bytes=$(/usr/bin/python3 -c '
import re, sys
m = re.fullmatch(r"(\d+)\s*([KMGT]?)(i?B)?", sys.argv[1].strip(), re.I)
if not m or (m.group(3) and not m.group(2) and m.group(3).lower() != "b"): sys.exit(1)
print(int(m.group(1)) * 1024 ** " KMGT".index((m.group(2) or " ").upper()))' "$size") ||
  { echo "compare_tools: bad --size '$size' (e.g. 256M, 1G, 1GiB)" >&2; exit 2; }
[ "$bytes" -gt 0 ] || { echo "compare_tools: --size must be > 0" >&2; exit 2; }
[ -x "$offload" ] || { echo "compare_tools: no offload binary at $offload (build it or pass --offload)" >&2; exit 2; }
offload=$(cd "$(dirname "$offload")" && pwd)/$(basename "$offload")

[ "$(id -u)" -eq 0 ] || skip "not root: loop mounts and drop_caches need root"
for tool in dd cp cmp sync losetup mkfs.xfs mkfs.btrfs mkfs.ext4; do
  command -v "$tool" >/dev/null || skip "$tool not installed"
done
if [ -z "$cache" ]; then
  if [ -w /proc/sys/vm/drop_caches ]; then cache=cold; else cache=warm; fi
fi
case "$cache" in
  cold) [ -w /proc/sys/vm/drop_caches ] || skip "--cache cold needs a writable /proc/sys/vm/drop_caches" ;;
  warm) ;;
  *) echo "compare_tools: --cache must be cold or warm" >&2; exit 2 ;;
esac

gib=$((1 << 30))
# An image holds the source, the 1 GiB clone source (when --size is not 1 GiB)
# and one destination, plus slack for metadata.
extra=$([ "$bytes" -eq "$gib" ] && echo 0 || echo "$gib")
image=$(( bytes + extra + (bytes > gib ? bytes : gib) + (512 << 20) ))
image=$(( image < 3 * gib ? 3 * gib : (image + (1 << 20) - 1) / (1 << 20) * (1 << 20) ))
# Prefault: room for a source and a destination in the page cache, at most
# half of the memory available.
available=$(( $(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) * 1024 ))
touch_bytes=$(( 2 * (bytes > gib ? bytes : gib) + (256 << 20) ))
touch_bytes=$(( touch_bytes > available / 2 ? available / 2 : touch_bytes ))

root=""
cleanup() {
  if [ -n "$root" ]; then
    bash "$here/../tests/targets/loopfs.sh" down "$root" || true
    rm -f "$root/results.tsv" "$root/side.out" "$root/side.err"
    rmdir "$root" 2>/dev/null || echo "compare_tools: $root not empty, left in place" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$(mktemp -d /tmp/offload-compare-XXXXXX)
rc=0
bash "$here/../tests/targets/loopfs.sh" up "$root" "$image" || rc=$?
[ "$rc" -eq 0 ] || { [ "$rc" -eq 77 ] && skip "loop filesystems cannot be mounted here (see above)"; die "loopfs.sh up failed ($rc)"; }

results="$root/results.tsv"
: > "$results"

# Puts the page cache in the same state before every timed run, either side.
prepare() {  # DST SRC
  rm -f "$1"
  sync
  if [ "$cache" = cold ]; then echo 3 > /proc/sys/vm/drop_caches; else cat "$2" > /dev/null; fi
  if [ "$prefault" -eq 1 ]; then
    dd if=/dev/zero of=/dev/null bs="$touch_bytes" count=1 iflag=fullblock status=none
  fi
}

run_side() {  # SIDE SRC DST
  # shellcheck disable=SC2086  # engine_args is a list of flags
  case "$1" in
    offload-*) "$offload" cp --json --method "${1#offload-}" $engine_args "$2" "$3" ;;
    dd) dd if="$2" of="$3" bs=1M status=none ;;
    cp) cp "$2" "$3" ;;
  esac
}

# The engine's own seconds from `offload cp --json` output, "-" for a tool.
engine_seconds() {  # SIDE
  case "$1" in
    offload-*) sed -n 's/^ *"seconds": *\([-0-9.eE+]*\).*/\1/p' "$root/side.out" | head -1 ;;
    *) echo - ;;
  esac
}

# Times SIDE_A and SIDE_B on SRC, alternating, and appends one TSV line: fs,
# comparison, target, side a, side b, a's and b's wall seconds (ns), what the
# engine used on side a, a's and b's in-engine seconds, the 1-minute load
# average when the measurement began and when it ended.
measure() {  # FS COMPARISON TARGET SRC SIDE_A SIDE_B
  local fs=$1 comparison=$2 target=$3 src=$4 dst r side t0 t1 note=""
  local -a order times_a=() times_b=() inner_a=() inner_b=()
  dst="$(dirname "$src")/dst"
  local load_start
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  echo "  $fs: $comparison ($rounds rounds)" >&2
  for ((r = 0; r < rounds; r++)); do
    if ((r % 2 == 0)); then order=("$5" "$6"); else order=("$6" "$5"); fi
    for side in "${order[@]}"; do
      prepare "$dst" "$src"
      t0=$(date +%s%N)
      run_side "$side" "$src" "$dst" > "$root/side.out" 2> "$root/side.err" ||
        die "$fs: '$side' failed: $(cat "$root/side.err")"
      t1=$(date +%s%N)
      if ((r == 0)); then  # once per tool: the bytes, and what the engine did
        cmp -s "$src" "$dst" || die "$fs: '$side' copy differs from the source"
        if [ "$side" = "$5" ]; then
          note=$(sed -n 's/^ *"methods_used": *"\([^"]*\)".*/\1/p' "$root/side.out" | head -1)
        fi
      fi
      if [ "$side" = "$5" ]; then
        times_a+=($((t1 - t0))); inner_a+=("$(engine_seconds "$side")")
      else
        times_b+=($((t1 - t0))); inner_b+=("$(engine_seconds "$side")")
      fi
    done
  done
  rm -f "$dst"
  local IFS=,
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$fs" "$comparison" "$target" "$5" "$6" \
    "${times_a[*]}" "${times_b[*]}" "$note" "${inner_a[*]}" "${inner_b[*]}" \
    "$load_start" "$(cut -d' ' -f1 /proc/loadavg)" >> "$results"
}

echo "compare_tools: $size ($bytes bytes) per file, $rounds rounds, cache $cache, prefault $prefault," \
  "images of $image bytes in $root" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for fs in ext4 xfs btrfs; do
  dir="$root/$fs"
  head -c "$bytes" /dev/urandom > "$dir/src"
  src1g="$dir/src"
  if [ "$bytes" -ne "$gib" ] && [ "$fs" != ext4 ]; then
    src1g="$dir/src1g"
    head -c "$gib" /dev/urandom > "$src1g"
  fi
  sync
  measure "$fs" "host vs dd bs=1M" 1.0 "$dir/src" offload-host dd
  measure "$fs" "auto vs cp" 1.0 "$dir/src" offload-auto cp
  if [ "$fs" != ext4 ]; then
    measure "$fs" "clone vs host (1 GiB)" 100 "$src1g" offload-clone offload-host
  fi
  rm -f "$dir/src" "$dir/src1g"
done

mkdir -p "$(dirname "$out")"
CACHE=$cache PREFAULT_BYTES=$((prefault ? touch_bytes : 0)) SIZE_BYTES=$bytes ROUNDS=$rounds \
  OFFLOAD=$offload ENGINE_ARGS=$engine_args LOAD_BEFORE=$load_before STRICT=$strict \
  LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)" \
  /usr/bin/python3 "$here/compare_report.py" "$results" "$out"
