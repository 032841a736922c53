"""Finds the built package: $OFFLOAD_BUILD_DIR (relative to the repository
root when relative; default <repo>/build) must hold python/offloadsim."""
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("OFFLOAD_BUILD_DIR", "build"))
BUILD = BUILD if BUILD.is_absolute() else REPO / BUILD
PACKAGE = BUILD / "python"
if not (PACKAGE / "offloadsim" / "__init__.py").is_file():
    raise RuntimeError(f"{PACKAGE}/offloadsim not built: build with OFFLOAD_BUILD_PYTHON=ON or set OFFLOAD_BUILD_DIR")
sys.path.insert(0, str(PACKAGE))
