"""bench/compare_report.py (the table of bench/compare_tools.sh) on recorded
measurements: each ratio has the spread of its runs and the machine's load
beside it, a MISS is reported, and only --strict (STRICT=1) turns a MISS into
exit 3. Needs no root and copies nothing.

Usage: compare_report_test.py BENCH_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

# fs, comparison, target, engine side, tool side, wall ns per run of each side,
# methods used, in-engine seconds per run of each side, load at start and end.
ROWS = [
    ["xfs", "host vs dd bs=1M", "1.0", "offload-host", "dd", "400000000,500000000,600000000",
     "700000000,800000000,900000000", "host", "0.39,0.49,0.59", "-,-,-", "0.50", "1.25"],
    ["xfs", "auto vs cp", "1.0", "offload-auto", "cp", "900000000,1000000000,1100000000",
     "500000000,600000000,700000000", "clone", "0.89,0.99,1.09", "-,-,-", "1.25", "2.00"],
]


def run(bench_dir, tsv, out, strict):
    env = dict(os.environ, CACHE="warm", PREFAULT_BYTES="0", SIZE_BYTES="1048576", ROUNDS="3",
               OFFLOAD="offload", ENGINE_ARGS="", LOAD_BEFORE="0.50 0.40 0.30", LOAD_AFTER="2.00 1.00 0.50",
               STRICT=strict)
    return subprocess.run([sys.executable, os.path.join(bench_dir, "compare_report.py"), tsv, out],
                          capture_output=True, text=True, env=env)


def main():
    bench_dir = sys.argv[1]
    failures = []

    def check(what, condition, detail=""):
        print(("ok   " if condition else "FAIL ") + what + ("" if condition else f": {detail}"))
        if not condition:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        tsv, out = os.path.join(tmp, "results.tsv"), os.path.join(tmp, "out.json")
        with open(tsv, "w") as f:
            f.writelines("\t".join(row) + "\n" for row in ROWS)
        lenient = run(bench_dir, tsv, out, "0")
        check("without --strict a MISS exits 0", lenient.returncode == 0, lenient.stderr)
        lines = lenient.stdout.splitlines()
        host = next((l for l in lines if "host vs dd" in l), "")
        auto = next((l for l in lines if "auto vs cp" in l), "")
        check("the ratio that meets its target passes", "1.60x" in host and "PASS" in host, host)
        check("the engine's spread is beside the ratio", "0.4000-0.6000" in host, host)
        check("the tool's spread is beside the ratio", "0.7000-0.9000" in host, host)
        check("the load during the measurement is beside the ratio", "0.50-1.25" in host, host)
        check("the slower engine side is a MISS", "0.60x" in auto and "MISS" in auto, auto)
        check("the load column follows the run", "1.25-2.00" in auto, auto)
        with open(out) as f:
            results = json.load(f)["results"]
        check("JSON keeps the spread and the load",
              results[0]["engine_max_s"] == 0.6 and results[1]["load_1min_end"] == 2.0, results[0])
        strict = run(bench_dir, tsv, out, "1")
        check("--strict exits 3 on a MISS", strict.returncode == 3, strict.returncode)
        check("--strict says how many missed", "1 of 2 ratio(s) missed" in strict.stderr, strict.stderr)
        with open(tsv, "w") as f:
            f.write("\t".join(ROWS[0]) + "\n")
        passing = run(bench_dir, tsv, out, "1")
        check("--strict exits 0 when every ratio passes", passing.returncode == 0, passing.stderr)
    print(f"{11 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
