#!/usr/bin/env bash
# Does `offload advise` recommend the method that measures fastest? For each
# directory (one per filesystem) and size: a random source file, then
# `offload advise SRC DIR --verify --json` (every method predicted, then
# copied for real). Prints one Markdown row per (directory, size): the
# predicted and measured seconds per method, the recommendation, the fastest
# measured and how much slower the recommendation measured (within 10 % = yes).
# Usage: advise_check.sh OFFLOAD PROFILE_DIR SIZES(comma) DIR...   (JSON kept in ./advise-check/)
set -euo pipefail
offload=$1 profiles=$2 sizes=$3; shift 3
mkdir -p advise-check
printf '| fs | size | predicted s (clone / kernel-copy / host) | measured s (clone / kernel-copy / host) | recommended | fastest measured | recommended vs fastest | within 10 %% |\n|---|---|---|---|---|---|---|---|\n'
for dir in "$@"; do
  fs=$(stat -f -c %T "$dir" | sed 's#ext2/ext3#ext4#')
  for size in ${sizes//,/ }; do
    src="$dir/advise-check-src"
    head -c "$size" /dev/urandom > "$src"
    out="advise-check/$(basename "$dir")-$size.json"
    "$offload" advise "$src" "$dir" --verify --json --profile "$profiles/$fs.json" > "$out"
    rm -f "$src"
    /usr/bin/python3 - "$out" "$size" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
m = {r["method"]: r for r in a["methods"]}
def cell(key):
    return " / ".join(f"{m[k][key]:.4g}" if k in m and m[k].get(key) is not None else "-" for k in ("clone", "kernel-copy", "host"))
v = a["verify"]
gap = v["recommended_vs_fastest"]
extra = m[a["recommended"]]["measured_s"] - m[v["fastest_measured"]]["measured_s"]
print(f"| {a['probe']['destination_fs']} | {sys.argv[2]} | {cell('predicted_s')} | {cell('measured_s')} | {a['recommended']} "
      f"| {v['fastest_measured']} | {gap * 100:+.0f} % ({extra * 1e3:+.2f} ms) | {'yes' if gap <= 0.10 else 'NO'} |")
PY
  done
done
