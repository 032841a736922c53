#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` into a temporary prefix: the programs in
# P/bin, the package importable by /usr/bin/python3 with the documented
# PYTHONPATH=P/lib/python3/dist-packages (from another directory, no build
# tree on the path), a simulation through the installed offload-sim-run, and
# `offload report` finding its Python without OFFLOAD_PYTHONPATH.
#   install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
prefix=$(mktemp -d /tmp/offload-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
for exe in offload offload-sim-run; do
  [ -x "$prefix/bin/$exe" ] || fail "$prefix/bin/$exe not installed"
done
site="$prefix/lib/python3/dist-packages"
[ -f "$site/offloadsim/report/__main__.py" ] || fail "$site/offloadsim/report/__main__.py not installed"
ls "$site"/offloadsim/_offloadsim*.so >/dev/null 2>&1 || fail "the extension module is not installed"

cd "$prefix"
unset OFFLOAD_BUILD_DIR OFFLOAD_BIN_DIR OFFLOAD_PYTHONPATH
out=$(env -u PYTHONPATH PYTHONPATH="$site" /usr/bin/python3 - "$prefix" <<'PY'
import sys
from pathlib import Path
import offloadsim
from offloadsim import _paths
prefix = Path(sys.argv[1]).resolve()
assert Path(offloadsim.__file__).resolve().is_relative_to(prefix), offloadsim.__file__
assert _paths.tool("offload-sim-run") == prefix / "bin" / "offload-sim-run", _paths.tool("offload-sim-run")
s = offloadsim.Scenario.from_dict({
    "scenario": {"name": "installed", "network_model": "CM02", "methods": ["host", "clone"]},
    "engine": {"queue_depth": 1, "host_chunk": "10MB"},
    "host": [{"name": "box", "memcpy_bandwidth": "1PBps", "per_op_cpu": "0s",
              "disk": {"read": "200MBps", "write": "100MBps"}}],
    "copy": [{"on": "box", "from": "local:/a", "to": "local:/b", "size": "100MB"}]})
res = s.run(out_dir=prefix / "sim")
host = res.runs.set_index("method").loc["host", "makespan_s"]
assert abs(host - 1.5) < 0.01, host   # 100 MB read at 200 MB/s, written at 100 MB/s, one chunk at a time
print("imported", offloadsim.__file__, "host", host)
PY
) || fail "the installed package does not work: $out"
echo "$out"
"$prefix/bin/offload" report "$prefix/sim" --out "$prefix/report" >/dev/null || fail "installed offload report failed"
[ -s "$prefix/report/index.html" ] || fail "no report page"
echo "PASS: installed into $prefix, imported from $site, report written"
