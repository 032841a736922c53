"""Section: a Google Benchmark JSON."""
import html
import re
from pathlib import Path

from .inputs import require
from .plots import method_colors, plt, wants_log
from .section import Section
from .units import binary_unit, format_duration, format_rate


_TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def benchmark_rows(data):
    """One dict per benchmark (medians when the run has repetitions)."""
    benches = data["benchmarks"]
    if any(b.get("run_type") == "aggregate" for b in benches):
        medians = [b for b in benches if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "median"]
        errors = [b for b in benches if b.get("error_occurred")]
        benches = medians + [e for e in errors if e.get("run_name", e.get("name")) not in
                             {m.get("run_name") for m in medians}]
    rows = []
    for b in benches:
        name = b.get("run_name") or b.get("name", "?")
        parts = name.split("/")
        seconds = b.get("real_time")
        if seconds is not None:
            seconds = seconds * _TIME_UNITS.get(b.get("time_unit", "ns"), 1e-9)
        rows.append({"name": name, "family": parts[0], "fs": parts[1] if len(parts) > 2 else None,
                     "method": parts[2] if len(parts) > 2 else None,
                     "error": bool(b.get("error_occurred")), "error_message": b.get("error_message"),
                     "iterations": b.get("iterations"), "real_time_s": seconds,
                     "cpu_time_s": (b.get("cpu_time") or 0) * _TIME_UNITS.get(b.get("time_unit", "ns"), 1e-9)
                     if b.get("cpu_time") is not None else None,
                     "bytes_per_second": b.get("bytes_per_second"), "cpu_s_per_copy": b.get("cpu_s_per_copy"),
                     "label": b.get("label")})
    return rows


def benchmark_section(path, data):
    require(path, "benchmark", data["benchmarks"], ("name",), "benchmark")
    rows = benchmark_rows(data)
    ctx = data.get("context", {})
    sec = Section("Google Benchmark: " + Path(ctx.get("executable", "") or path).name, path, "benchmark")
    sec.data["benchmarks-" + re.sub(r"[^A-Za-z0-9_.-]", "_", Path(path).stem)] = rows
    bits = [f"{k.replace('_', ' ')} {ctx[k]}" for k in ("date", "host_name", "num_cpus", "mhz_per_cpu") if k in ctx]
    sec.notes.append(html.escape("; ".join(bits) or "no context") + f". {len(rows)} benchmark(s).")
    good = [r for r in rows if not r["error"]]
    with_rate = [r for r in good if r["bytes_per_second"]]
    if good:
        use_rate = bool(with_rate)
        plotted = with_rate if use_rate else [r for r in good if r["real_time_s"]]
        fig, ax = plt.subplots(figsize=(8.5, max(2.5, 0.42 * len(plotted) + 1.2)))
        names = [r["name"] for r in plotted]
        methods = list(dict.fromkeys(r["method"] or r["family"] for r in plotted))
        colors = method_colors(methods)
        if use_rate:
            vals = [r["bytes_per_second"] for r in plotted]
            factor, unit = binary_unit(max(vals))
            ax.set_xlabel(f"throughput ({unit}/s)")
        else:
            vals = [r["real_time_s"] for r in plotted]
            factor, unit = 1, "s"
            ax.set_xlabel("time per iteration (s)")
        ys = range(len(plotted))
        ax.barh(ys, [v / factor for v in vals], color=[colors[r["method"] or r["family"]] for r in plotted])
        for y, v in zip(ys, vals):
            ax.text(v / factor, y, " " + (format_rate(v) if use_rate else format_duration(v)), va="center", fontsize=7)
        ax.set_yticks(list(ys))
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        if wants_log(vals):
            ax.set_xscale("log")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title("throughput per benchmark" if use_rate else "time per benchmark")
        sec.figure(fig, "benchmark throughput", "One bar per benchmark that ran"
                   + (" (bytes_per_second)." if use_rate else " (real time per iteration)."))
    else:
        sec.notes.append("No benchmark ran without an error: nothing to plot.")
    head = ["benchmark", "time", "throughput", "CPU per copy", "label"]
    sec.tables.append(("Benchmarks that ran", head,
                       [[r["name"], format_duration(r["real_time_s"]),
                         format_rate(r["bytes_per_second"]), format_duration(r["cpu_s_per_copy"]), r["label"] or ""]
                        for r in good]))
    bad = [r for r in rows if r["error"]]
    if bad:
        sec.tables.append((f"Skipped or errored ({len(bad)})", ["benchmark", "message"],
                           [[r["name"], r["error_message"] or "(no message)"] for r in bad]))
    return sec
