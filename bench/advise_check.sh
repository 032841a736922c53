#!/usr/bin/env bash
# Does `offload advise` recommend the method that measures fastest? For each
# directory (one per filesystem) or SRC_DIR:DST_DIR pair (a copy across
# filesystems) and size: a random source file, then `offload advise SRC DIR
# --verify --json` (every method predicted, then copied for real; copies under
# 10 ms timed 15 times). Prints one Markdown row per (path, size): predicted
# and measured seconds per method (median, and min-max of the timed copies),
# the recommendation, the fastest measured, how much slower the recommendation
# measured, whether that is right (within 10 % of the fastest median, or inside
# the fastest's min-max spread) and the 1-minute load average after the row.
# Usage: advise_check.sh OFFLOAD PROFILE_DIR SIZES(comma) DIR|SRC_DIR:DST_DIR...   (JSON kept in ./advise-check/)
set -euo pipefail
offload=$1 profiles=$2 sizes=$3; shift 3
mkdir -p advise-check
printf '| path | size | predicted s (clone / kernel-copy / host) | measured s, median [min-max] (clone / kernel-copy / host) | recommended | fastest measured | recommended vs fastest | right | load |\n|---|---|---|---|---|---|---|---|---|\n'
fs_of() { stat -f -c %T "$1" | sed 's#ext2/ext3#ext4#'; }
for path in "$@"; do
  src_dir=${path%%:*} dir=${path#*:}
  fs=$(fs_of "$dir")
  label=$fs
  [ "$src_dir" = "$dir" ] || label="$(fs_of "$src_dir")->$fs"
  for size in ${sizes//,/ }; do
    src="$src_dir/advise-check-src"
    head -c "$size" /dev/urandom > "$src"
    out="advise-check/${label//>/}-$size.json"
    "$offload" advise "$src" "$dir" --verify --json --profile "$profiles/$fs.json" > "$out"
    rm -f "$src"
    /usr/bin/python3 - "$out" "$size" "$label" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
m = {r["method"]: r for r in a["methods"]}
def cell(k, key):
    return f"{m[k][key]:.4g}" if k in m and m[k].get(key) is not None else "-"
def measured(k):
    if k not in m or m[k].get("measured_s") is None:
        return "-"
    return f"{m[k]['measured_s']:.4g} [{m[k]['measured_min_s']:.3g}-{m[k]['measured_max_s']:.3g}]"
methods = ("clone", "kernel-copy", "host")
v = a["verify"]
gap = v["recommended_vs_fastest"]
extra = m[a["recommended"]]["measured_s"] - m[v["fastest_measured"]]["measured_s"]
print(f"| {sys.argv[3]} | {sys.argv[2]} | {' / '.join(cell(k, 'predicted_s') for k in methods)} "
      f"| {' / '.join(measured(k) for k in methods)} | {a['recommended']} | {v['fastest_measured']} "
      f"| {gap * 100:+.0f} % ({extra * 1e3:+.2f} ms) | {'yes' if v['right'] else 'NO'} | {sys.argv[4]} |")
PY
  done
done
