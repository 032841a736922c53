#!/usr/bin/python3
"""Compares two sets of `offload sim --out` directories, one per shipped
scenario: BEFORE/NAME/results.json against AFTER/NAME/results.json.

    scripts/compare-results.py BEFORE AFTER

Two results are the same when every value is equal apart from the
wall-clock field (`wall_s`): numbers
compare by value (4294967296.0 equals 4294967296), and runs are matched by
their sweep point and method, so a change of run order is reported as such
but is not a difference. Prints one line per scenario and exits 1 when any
differs (the first differences are listed)."""
import json
import sys
from pathlib import Path

IGNORED = {"wall_s"}


def differences(a, b, where="", out=None):
    """Paths where `a` and `b` differ (numbers by value; dict key order ignored)."""
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in IGNORED:
                continue
            if key not in a or key not in b:
                out.append(f"{where}.{key}: only in {'after' if key not in a else 'before'}")
            else:
                differences(a[key], b[key], f"{where}.{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{where}[{i}]", out)
    elif isinstance(a, bool) or isinstance(b, bool) or not (
            isinstance(a, (int, float)) and isinstance(b, (int, float))):
        if a != b:
            out.append(f"{where}: {a!r} before, {b!r} after")
    elif a != b:
        out.append(f"{where}: {a!r} before, {b!r} after")
    return out


def run_key(run):
    return json.dumps(run.get("point", {}), sort_keys=True) + " " + run.get("method", "")


def compare(before_file, after_file):
    """(differences, whether the run order changed)."""
    before = json.loads(before_file.read_text())
    after = json.loads(after_file.read_text())
    before_keys = [run_key(r) for r in before]
    after_keys = [run_key(r) for r in after]
    if sorted(before_keys) != sorted(after_keys):
        return [f"runs differ: {sorted(set(before_keys) ^ set(after_keys))}"], False
    by_key = {run_key(r): r for r in after}
    found = []
    for run in before:
        differences(run, by_key[run_key(run)], f"[{run_key(run)}]", found)
    return found, before_keys != after_keys


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    before_dir, after_dir = Path(argv[1]), Path(argv[2])
    names = sorted(p.parent.name for p in before_dir.glob("*/results.json"))
    if not names:
        print(f"{before_dir}: no */results.json", file=sys.stderr)
        return 2
    failed = False
    for name in names:
        after_file = after_dir / name / "results.json"
        if not after_file.is_file():
            print(f"{name}: missing {after_file}")
            failed = True
            continue
        found, reordered = compare(before_dir / name / "results.json", after_file)
        order = " (run order changed)" if reordered else ""
        if found:
            failed = True
            print(f"{name}: {len(found)} difference(s){order}")
            for line in found[:10]:
                print(f"  {line}")
        else:
            print(f"{name}: same{order}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
