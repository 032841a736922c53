#!/usr/bin/python3
"""Run the notebooks headless with nbclient and fail if any cell errors.

    /usr/bin/python3 tests/notebooks/run_notebooks.py [NOTEBOOK_OR_DIR ...] [--build-dir DIR] [--out DIR]
                                                      [--timeout SECONDS]

Default: every notebooks/*.ipynb of the repository. Each notebook runs in a fresh python3 kernel on
/usr/bin/python3 with its own folder as working directory; the executed copies (with outputs) go to
--out (default: a new temporary directory; ctest uses <build>/tests/notebooks-out), never into the
notebooks themselves, which stay without outputs. --build-dir sets
OFFLOAD_BUILD_DIR for the kernels (the notebooks find `<build>/python` through it; default build/).
Prints one line per notebook, the traceback of a failing cell, and 'N passed, M failed'.
Exit status 0 when all passed, 1 otherwise, 2 when no notebook was found or the kernel is unusable.
"""
import os
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")   # quiet debugpy's frozen-modules warning in every kernel
import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"   # the interpreter with Debian's pandas, matplotlib, ipykernel
KERNEL_NAME = "python3"


def _interpreter(argv0):
    """The interpreter a kernelspec's argv[0] starts: jupyter_client replaces a bare python/python3
    with the running interpreter (sys.executable)."""
    bare = {"python", f"python{sys.version_info[0]}", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
    return os.path.realpath(sys.executable if argv0 in bare else argv0)


def kernel_name(tmp):
    """A kernel name that starts /usr/bin/python3: 'python3' if its spec does, else a private spec
    written under `tmp` and put first on JUPYTER_PATH."""
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and _interpreter(spec.argv[0]) == os.path.realpath(PYTHON):
            print(f"kernel: '{KERNEL_NAME}' from {spec.resource_dir} ({spec.argv[0]})")
            return KERNEL_NAME
        found = f"starts {spec.argv[0] if spec.argv else '(nothing)'}"
    except NoSuchKernel:
        found = "not found"
    name = "offloadsim-python3"
    spec_dir = Path(tmp) / "jupyter" / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [PYTHON, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (/usr/bin/python3)", "language": "python"}, indent=1))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(Path(tmp) / "jupyter"),
                                                              os.environ.get("JUPYTER_PATH")]))
    print(f"kernel: '{KERNEL_NAME}' {found}; using '{name}' -> {PYTHON} (spec in {spec_dir})")
    return name


def notebooks(paths):
    found = []
    for p in map(Path, paths or [REPO / "notebooks"]):
        found += sorted(p.glob("*.ipynb")) if p.is_dir() else [p]
    return [p.resolve() for p in found if ".ipynb_checkpoints" not in p.parts]


def error_outputs(nb):
    """(cell index, traceback text) of every error output left in an executed notebook."""
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append((i, "\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}"))
    return errors


def run_one(path, kernel, out_dir, timeout):
    """Execute one notebook; returns (ok, seconds, message). Writes the executed copy to out_dir."""
    nb = nbformat.read(path, as_version=4)
    start = time.monotonic()
    message = ""
    try:
        client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, allow_errors=False,
                                resources={"metadata": {"path": str(path.parent)}})
        client.execute()
    except CellTimeoutError as e:
        message = f"a cell ran longer than {timeout} s:\n{e}"
    except DeadKernelError as e:
        message = f"the kernel died:\n{e}"
    except CellExecutionError as e:
        message = str(e)
    except Exception as e:   # kernel start failures and the like
        message = f"{type(e).__name__}: {e}"
    seconds = time.monotonic() - start
    out_path = out_dir / path.name
    nbformat.write(nb, out_path)
    if not message:
        errors = error_outputs(nb)
        if errors:
            message = "\n".join(f"cell {i}:\n{tb}" for i, tb in errors)
    return not message, seconds, re.sub(r"\x1b\[[0-9;]*m", "", message)   # no terminal colours in logs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", help="notebooks or folders of notebooks (default: notebooks/)")
    ap.add_argument("--build-dir", help="the CMake build dir (sets OFFLOAD_BUILD_DIR for the kernels)")
    ap.add_argument("--out", help="where the executed copies go (default: a new temporary directory)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell (default 300)")
    args = ap.parse_args()

    if args.build_dir:
        os.environ["OFFLOAD_BUILD_DIR"] = str(Path(args.build_dir).resolve())
    build = Path(os.environ.get("OFFLOAD_BUILD_DIR") or "build")
    build = build if build.is_absolute() else REPO / build
    if not (build / "python" / "offloadsim").is_dir():
        print(f"warning: {build}/python/offloadsim not found: build the project first", file=sys.stderr)

    paths = notebooks(args.paths)
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="offload-notebooks-") as tmp:
        out_dir = Path(args.out).resolve() if args.out else Path(tempfile.mkdtemp(prefix="offload-notebooks-out-"))
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            kernel = kernel_name(tmp)
        except Exception as e:
            print(f"no usable python3 kernel: {type(e).__name__}: {e}", file=sys.stderr)
            return 2
        print(f"build: {build}\nexecuted copies: {out_dir}")
        passed = failed = 0
        for path in paths:
            ok, seconds, message = run_one(path, kernel, out_dir, args.timeout)
            name = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            print(f"{'PASS' if ok else 'FAIL'} {name} ({seconds:.1f} s)", flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
                print(message, flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
