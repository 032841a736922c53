#!/usr/bin/env bash
# Installs, builds and runs every test: the C++ suite under ctest (real
# filesystem tests need root; with OFFLOAD_REQUIRE_REAL_FS=1 a skip fails)
# and the Python suite under /usr/bin/python3 -m pytest once python/ has tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
status=0
(cd build && ctest --output-on-failure --timeout 1800) || status=1
if compgen -G "python/tests/test_*.py" >/dev/null; then
  /usr/bin/python3 -m pytest -q python/tests || status=1
fi
exit $status
