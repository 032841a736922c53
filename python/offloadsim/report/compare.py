"""Section: copies on real files (`offload compare --report`)."""
import html

from .inputs import require
from .plots import grouped_bars, method_colors, plt, scaled_axis, wants_log
from .section import Section
from .units import (RATE_MIN_SECONDS, data_path, format_bytes, format_copy_speed, format_duration, format_number,
                    format_ratio, format_value)


def compare_section(path, data):
    require(path, "compare", data["rows"], ("fs", "method", "outcome"), "row")
    rows = []
    for r in data["rows"]:
        rows.append({k: r.get(k) for k in ("directory", "fs", "method", "outcome", "methods_used", "median_seconds",
                                            "bytes_per_second", "cpu_seconds", "speedup_vs_host", "verified")})
    sec = Section("Real files: offload compare", path, "compare")
    sec.data["compare"] = rows
    size = data.get("size_bytes")
    sec.notes.append(f"{len(rows)} row(s); file size {html.escape(format_bytes(size) if size else '?')}, "
                     f"{html.escape(str(data.get('repeat', '?')))} timed copies per method (median), "
                     f"queue depth {html.escape(str(data.get('queue_depth', '?')))}.")
    ok = [r for r in rows if r["outcome"] == "ok"]
    fss = list(dict.fromkeys(r["fs"] or r["directory"] or "?" for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    methods.sort(key=lambda m: m != "host")
    colors = method_colors(methods)
    if ok:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
        # A copy under RATE_MIN_SECONDS (a clone) has no rate: its time per copy is written instead of a bar.
        rates = {((r["fs"] or r["directory"] or "?"), r["method"]): r["bytes_per_second"] for r in ok
                 if not (r["median_seconds"] or 0) < RATE_MIN_SECONDS}
        marks = {((r["fs"] or r["directory"] or "?"), r["method"]): format_duration(r["median_seconds"]) + " per copy"
                 for r in ok if (r["median_seconds"] or 0) < RATE_MIN_SECONDS}
        factor = scaled_axis(a1, max(v for v in rates.values() if v) if any(rates.values()) else 1, "rate", "throughput")
        log = wants_log(rates.values())
        grouped_bars(a1, fss, methods, {k: v / factor if v else None for k, v in rates.items()}, colors, log=log,
                     fmt=format_number, marks=marks)
        a1.set_title("throughput (median)" + (", log scale" if log else ""))
        a1.set_xlabel("filesystem")
        a1.legend(title="method", fontsize=8, loc="upper left")
        cpu = {((r["fs"] or r["directory"] or "?"), r["method"]): r["cpu_seconds"] for r in ok}
        grouped_bars(a2, fss, methods, cpu, colors, fmt=format_duration)
        a2.set_ylabel("host CPU per copy (s)")
        a2.set_title("host CPU seconds (lower is better)")
        a2.set_xlabel("filesystem")
        a2.set_ylim(bottom=0)
        fig.tight_layout()
        sec.figure(fig, "compare: throughput and CPU seconds per filesystem and method",
                   "Each method on each filesystem; n/a: the method cannot copy there (see the table).")
    else:
        sec.notes.append("No method succeeded: nothing to plot.")
    head = ["fs", "method", "methods used", "time per copy (median)", "throughput", "host CPU per copy",
            "where the bytes went", "vs host", "verified", "outcome"]
    table = [[r["fs"] or r["directory"] or "?", r["method"], r["methods_used"] or "-",
              format_duration(r["median_seconds"]) if r["outcome"] == "ok" else "-",
              format_copy_speed(r["bytes_per_second"], r["median_seconds"]) if r["outcome"] == "ok" else "-",
              format_duration(r["cpu_seconds"]) if r["outcome"] == "ok" else "-",
              data_path(r["methods_used"], r["fs"]) if r["outcome"] == "ok" else "-",
              format_ratio(r["speedup_vs_host"] or None), format_value(bool(r["verified"])), r["outcome"]] for r in rows]
    sec.tables.append(("Every filesystem x method", head, table))
    return sec
