#!/usr/bin/env bash
# The main job: install, build, then
#  1. compare every copy method on real files of this machine (XFS, btrfs
#     and ext4 loop mounts when root; the current filesystem otherwise);
#  2. calibrate the simulator on the same filesystems (`offload calibrate`:
#     fit, replay, predicted vs measured) into reports/calibration/;
#  3. run the shipped scenarios in the simulator (NFS VM clone, SCSI array,
#     local filesystem, network bottleneck, 100-client contention), or the
#     one given with --scenario;
#  4. write the report: reports/index.html (plots, self-contained) and
#     reports/data/ (CSV, JSON);
# printing tables and writing reports/.
# Usage: scripts/run-main.sh [--size 256MiB] [--scenario scenarios/X.toml]
set -euo pipefail
cd "$(dirname "$0")/.."
size=256MiB
scenarios=(scenarios/*.toml)
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --scenario) scenarios=("$2"); shift 2 ;;
    *) echo "usage: $0 [--size SIZE] [--scenario FILE]" >&2; exit 2 ;;
  esac
done
scripts/build.sh
mkdir -p reports
offload=build/offload

work=$(mktemp -d /tmp/offload-main-XXXXXX)
cleanup() { tests/targets/loopfs.sh down "$work" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

dirs=()
if tests/targets/loopfs.sh up "$work" 2G 2>"$work.log"; then
  dirs=(--dir "$work/xfs" --dir "$work/btrfs" --dir "$work/ext4")
else
  echo "main: no loop filesystems ($(cat "$work.log")); comparing on $(df --output=fstype . | tail -1) here"
  mkdir -p "$work/here"
  dirs=(--dir "$work/here")
fi
rm -f "$work.log"

echo "== Real copies on this machine ($size, median of 3, every byte verified) =="
"$offload" compare "${dirs[@]}" --size "$size" --report reports/compare.json

echo
echo "== Calibration: fit the simulator's CPU and local-filesystem constants, replay the copies, compare =="
"$offload" calibrate "${dirs[@]}" --out reports/calibration

cleanup  # unmount before the simulations
for scenario in "${scenarios[@]}"; do
  name=$(basename "$scenario" .toml)
  echo
  echo "== Simulation: $scenario -> reports/sim-$name/ =="
  "$offload" sim "$scenario" --out "reports/sim-$name" --quiet
done

echo
"$offload" report reports --out reports
