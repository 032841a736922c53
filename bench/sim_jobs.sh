#!/usr/bin/env bash
# sim_jobs.sh: wall time of `offload sim` one run at a time (-j 1) against
# side by side (-j N) on one scenario, alternating the two REPEAT times so a
# change in the machine's load hits both alike, and a check that each -j N
# output equals its -j 1 output (runs.csv, copies.csv, and results.json but
# for wall_s). Prints one line per run: jobs, wall s, user + sys CPU s of
# `offload sim` and its simulations (GNU time), the load average before it.
#
# Usage: bench/sim_jobs.sh [--build DIR] [--jobs N] [--repeat R] SCENARIO
# Defaults: --build build, --jobs 2, --repeat 3. Needs: the offload target.
set -euo pipefail

build=build jobs=2 repeat=3
while [[ $# -gt 1 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    *) echo "sim_jobs.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -eq 1 ]] || { echo "usage: bench/sim_jobs.sh [--build DIR] [--jobs N] [--repeat R] SCENARIO" >&2; exit 2; }
scenario=$1
work=$(mktemp -d /tmp/offload-sim-jobs-XXXXXX)
trap 'rm -rf "$work"' EXIT

mask_wall() { sed 's/"wall_s": [0-9.e+-]*/"wall_s": WALL/' "$1"; }
printf '%-6s %8s %8s  %s\n' jobs wall_s cpu_s load_before
for ((r = 1; r <= repeat; r++)); do
  for j in 1 "$jobs"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -o "$work/time" -f '%e %U %S' "$build/offload" sim "$scenario" -j "$j" -q --out "$work/j$j" >/dev/null
    read -r wall user sys <"$work/time"
    printf '%-6s %8.2f %8.2f  %s\n' "$j" "$wall" "$(echo "$user + $sys" | bc)" "$load"
  done
  for file in runs.csv copies.csv; do cmp -s "$work/j1/$file" "$work/j$jobs/$file" || { echo "DIFFER: $file" >&2; exit 1; }; done
  cmp -s <(mask_wall "$work/j1/results.json") <(mask_wall "$work/j$jobs/results.json") ||
    { echo "DIFFER: results.json" >&2; exit 1; }
done
echo "outputs of -j 1 and -j $jobs identical (results.json but for wall_s) in all $repeat repeats"
