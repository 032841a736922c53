"""Table and JSON for bench/compare_tools.sh.

Usage: compare_report.py RESULTS_TSV OUT_JSON, with the run's settings in the
environment (CACHE, PREFAULT_BYTES, SIZE_BYTES, ROUNDS, OFFLOAD, ENGINE_ARGS,
LOAD_BEFORE, LOAD_AFTER, STRICT). A TSV line: fs, comparison, target ratio,
engine side, tool side, wall ns per run of each side (comma-separated), the
methods the engine used, in-engine seconds per run of each side ("-" for a
tool), the 1-minute load average when the measurement began and ended.
Ratios are tool median / engine median: >= 1.0 means the engine side is at
least as fast. Beside each ratio: the spread of each side's runs (fastest -
slowest, seconds) and the load. Exit 3 when STRICT=1 and a ratio misses its
target, else 0.
"""
import json
import os
import platform
import statistics
import subprocess
import sys


def first_line(cmd):
    """First line of a command's stdout (a tool's version)."""
    return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]


def engine_times(text):
    """In-engine seconds per run, or None for a tool."""
    values = text.split(",")
    return None if "-" in values or "" in values else [float(v) for v in values]


def load_rows(path):
    """One result dict per measurement, medians and ratio included."""
    rows = []
    for line in open(path):
        fs, comparison, target, a, b, ta, tb, note, ia, ib, load_start, load_end = line.rstrip("\n").split("\t")
        ta = [int(t) / 1e9 for t in ta.split(",")]
        tb = [int(t) / 1e9 for t in tb.split(",")]
        ma, mb = statistics.median(ta), statistics.median(tb)
        ratio = mb / ma if ma > 0 else float("inf")
        row = {"fs": fs, "comparison": comparison, "engine_side": a, "tool_side": b,
               "engine_seconds": ta, "tool_seconds": tb, "engine_median_s": ma,
               "tool_median_s": mb, "engine_min_s": min(ta), "tool_min_s": min(tb),
               "engine_max_s": max(ta), "tool_max_s": max(tb), "ratio": ratio, "target_ratio": float(target),
               "load_1min_start": float(load_start), "load_1min_end": float(load_end),
               "pass": ratio >= float(target), "engine_methods_used": note,
               "engine_in_engine_seconds": engine_times(ia),
               "tool_in_engine_seconds": engine_times(ib)}
        for side in ("engine", "tool"):
            times = row[f"{side}_in_engine_seconds"]
            row[f"{side}_in_engine_median_s"] = statistics.median(times) if times else None
        if row["engine_in_engine_median_s"] and row["tool_in_engine_median_s"]:
            row["in_engine_ratio"] = row["tool_in_engine_median_s"] / row["engine_in_engine_median_s"]
        rows.append(row)
    return rows


def spread(low, high):
    """Fastest-slowest run, seconds."""
    return f"{low:.4f}-{high:.4f}"


def print_table(meta, rows, out):
    """The human-readable summary on stdout."""
    print(f"# size {meta['size_bytes']} B, {meta['rounds']} rounds, cache {meta['cache']} "
          f"({meta['cache_note']}), prefault {meta['prefault_bytes']} B, no fsync"
          + (f", engine args '{meta['engine_args']}'" if meta["engine_args"] else ""))
    print(f"# load average before {meta['load_before']}, after {meta['load_after']}")
    fmt = "{:<6} {:<22} {:<20} {:>10} {:>10} {:<13} {:>10} {:>8} {:>7} {:<6} {:>15} {:>15} {:>9}"
    print(fmt.format("fs", "comparison", "engine", "engine_s", "(in-eng s)", "tool", "tool_s",
                     "ratio", "target", "result", "engine spread s", "tool spread s", "load"))
    for r in rows:
        engine = r["engine_side"].replace("offload-", "offload ")
        if r["engine_side"] == "offload-auto" and r["engine_methods_used"]:
            engine = "auto via " + r["engine_methods_used"]
        inner = r["engine_in_engine_median_s"]
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] < 100 else f"{r['ratio']:.0f}x"
        t = r["target_ratio"]
        target = f">={t:.1f}x" if t < 100 else f">={t:.0f}x"
        print(fmt.format(r["fs"], r["comparison"], engine, f"{r['engine_median_s']:.4f}",
                         f"{inner:.4f}" if inner is not None else "-",
                         r["tool_side"].replace("offload-", "offload "), f"{r['tool_median_s']:.4f}",
                         ratio, target, "PASS" if r["pass"] else "MISS",
                         spread(r["engine_min_s"], r["engine_max_s"]), spread(r["tool_min_s"], r["tool_max_s"]),
                         f"{r['load_1min_start']:.2f}-{r['load_1min_end']:.2f}"))
    for r in rows:
        if "in_engine_ratio" in r:
            print(f"# {r['fs']} {r['comparison']}: in-engine ratio {r['in_engine_ratio']:.0f}x "
                  f"({r['tool_in_engine_median_s']:.4f} s / {r['engine_in_engine_median_s']:.6f} s; "
                  "no process start-up)")
    print("# spread: fastest-slowest run of each side; load: 1-minute load average (/proc/loadavg) "
          "when the measurement began-ended")
    print(f"# JSON: {out}")


def main():
    env = os.environ
    cache = env["CACHE"]
    meta = {"size_bytes": int(env["SIZE_BYTES"]), "rounds": int(env["ROUNDS"]), "cache": cache,
            "cache_note": "sync + drop_caches before every timed run" if cache == "cold"
                          else "sync + source read once before every timed run",
            "prefault_bytes": int(env["PREFAULT_BYTES"]), "fsync": False,
            "offload": env["OFFLOAD"], "engine_args": env["ENGINE_ARGS"],
            "kernel": platform.release(), "dd": first_line(["dd", "--version"]),
            "cp": first_line(["cp", "--version"]), "load_before": env["LOAD_BEFORE"],
            "load_after": env["LOAD_AFTER"],
            "ratio_definition": "tool_median_s / engine_median_s (>= 1.0: engine side at least as fast)"}
    rows = load_rows(sys.argv[1])
    with open(sys.argv[2], "w") as f:
        json.dump({"config": meta, "results": rows}, f, indent=2)
        f.write("\n")
    print_table(meta, rows, sys.argv[2])
    misses = [r for r in rows if not r["pass"]]
    if misses and env.get("STRICT") == "1":
        print(f"# --strict: {len(misses)} of {len(rows)} ratio(s) missed their target", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
