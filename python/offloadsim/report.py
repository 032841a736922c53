"""One self-contained HTML page from offload results, plus the numbers as CSV/JSON.

    python3 -m offloadsim.report --out DIR INPUT...

Each INPUT is one of (the kind is read from the content, not the name):

- a simulation: a directory holding results.json, or the results.json of
  `offload sim` (a JSON array of run records);
- a comparison on real files: the JSON of `offload compare --report`
  (`{"kind": "offload-compare", "rows": [...]}`);
- a calibration: validation.json of `offload calibrate` (kind "offload-calibration"):
  "Sim vs real (calibrated)", predicted and measured throughput with the error;
- a Google Benchmark JSON (`--benchmark_out_format=json`: context + benchmarks);
- a directory without results.json (such as reports/): every */results.json,
  every */validation.json and every recognised *.json directly in it.

Writes DIR/index.html (plots embedded as base64 PNG, CSS inline, no external
URLs), DIR/data/*.csv (one table per section) and DIR/data/summary.json (every
table, the inputs and the number of plots). A missing or unreadable input is an
error naming the file (exit code 1).
"""
import argparse
import base64
import csv
import datetime
import html
import io
import json
import math
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class ReportError(Exception):
    """A bad input: the message names the file."""


# ---------------------------------------------------------------- units

_BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

#: Unit suffixes of scenario values -> (factor to the base unit, base unit).
_UNITS = {
    "bps": (1, "bit/s"), "kbps": (1e3, "bit/s"), "Mbps": (1e6, "bit/s"), "Gbps": (1e9, "bit/s"), "Tbps": (1e12, "bit/s"),
    "Bps": (1, "B/s"), "kBps": (1e3, "B/s"), "MBps": (1e6, "B/s"), "GBps": (1e9, "B/s"), "TBps": (1e12, "B/s"),
    "KiBps": (2**10, "B/s"), "MiBps": (2**20, "B/s"), "GiBps": (2**30, "B/s"),
    "B": (1, "B"), "kB": (1e3, "B"), "MB": (1e6, "B"), "GB": (1e9, "B"), "TB": (1e12, "B"),
    "KiB": (2**10, "B"), "MiB": (2**20, "B"), "GiB": (2**30, "B"), "TiB": (2**40, "B"),
    "ns": (1e-9, "s"), "us": (1e-6, "s"), "ms": (1e-3, "s"), "s": (1, "s"), "min": (60, "s"), "h": (3600, "s"),
}
_VALUE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")


def parse_value(text):
    """'10Gbps' -> (10.0, 'Gbps'); '8' -> (8.0, ''); anything else (true, names) -> None."""
    m = _VALUE.match(str(text))
    if not m or (m.group(2) and m.group(2) not in _UNITS):
        return None
    return float(m.group(1)), m.group(2)


def numeric_axis(values):
    """Numbers for swept values, and the unit for the axis label; None when not all numeric.
    One common suffix keeps the numbers as written; mixed suffixes are converted to the suffix of the
    largest value (100Mbps, 1Gbps -> 0.1, 1 Gbps)."""
    parsed = [parse_value(v) for v in values]
    if not parsed or any(p is None for p in parsed):
        return None
    suffixes = {p[1] for p in parsed}
    if len(suffixes) == 1:
        return [p[0] for p in parsed], parsed[0][1]
    if "" in suffixes or len({_UNITS[s][1] for s in suffixes}) != 1:
        return None
    base = [p[0] * _UNITS[p[1]][0] for p in parsed]
    unit = parsed[max(range(len(base)), key=base.__getitem__)][1]
    return [b / _UNITS[unit][0] for b in base], unit


def binary_unit(maximum):
    """(factor, name) of the binary unit that suits `maximum` bytes."""
    i = 0
    while i + 1 < len(_BINARY) and maximum >= 1024 ** (i + 1):
        i += 1
    return 1024**i, _BINARY[i]


def fmt_bytes(n):
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "-"
    factor, unit = binary_unit(abs(n))
    return f"{n / factor:.3g} {unit}" if unit != "B" else f"{n:.0f} B"


def fmt_rate(bps):
    return "-" if bps is None or not bps > 0 else fmt_bytes(bps) + "/s"


def fmt_num(x, digits=4):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def fmt_ratio(x):
    if x is None or not x > 0:
        return "-"
    return f"{x:.2f}x" if x < 100 else f"{x:.0f}x"


# ---------------------------------------------------------------- inputs

def _load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file or directory") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a directory") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: cannot read: {e}") from None


def detect_kind(data):
    """'sim', 'compare', 'calibration' or 'benchmark' from a parsed JSON document, else None."""
    if isinstance(data, list) and data and all(isinstance(r, dict) and "method" in r and "summary" in r for r in data):
        return "sim"
    if isinstance(data, dict):
        if data.get("kind") == "offload-compare" and isinstance(data.get("rows"), list):
            return "compare"
        if data.get("kind") == "offload-calibration" and isinstance(data.get("rows"), list):
            return "calibration"
        if isinstance(data.get("benchmarks"), list) and isinstance(data.get("context", {}), dict):
            return "benchmark"
        if data.get("kind") == "guest-model-vs-real" and isinstance(data.get("paths"), dict):
            return "guest-model"
    return None


_EXPECTED = ("expected results.json of `offload sim` (an array of run records), the JSON of `offload compare` "
             "(kind \"offload-compare\"), validation.json of `offload calibrate` (kind \"offload-calibration\") "
             "or a Google Benchmark JSON (context + benchmarks)")


def load_input(arg):
    """[(path, kind, data)] for one command-line input (a directory may hold several)."""
    path = Path(arg)
    if not path.exists():
        raise ReportError(f"{arg}: no such file or directory")
    if path.is_dir():
        if (path / "results.json").is_file():
            return load_input(str(path / "results.json"))
        found = []
        for candidate in (sorted(path.glob("*/results.json")) + sorted(path.glob("*/validation.json"))
                          + sorted(path.glob("*.json"))):
            if not candidate.is_file():
                continue
            data = _load_json(candidate) if candidate.name == "results.json" else _try_json(candidate)
            kind = detect_kind(data)
            if kind:
                found.append((str(candidate), kind, data))
            elif candidate.name == "results.json":
                raise ReportError(f"{candidate}: not a simulation results file: {_EXPECTED}")
        if not found:
            raise ReportError(f"{arg}: no results.json and no recognised *.json in this directory ({_EXPECTED})")
        return found
    if not path.is_file():  # a FIFO or a device would block or never end
        raise ReportError(f"{arg}: not a regular file or a directory")
    data = _load_json(path)
    kind = detect_kind(data)
    if kind is None:
        if isinstance(data, list) and not data:
            raise ReportError(f"{arg}: no simulation runs (an empty array)")
        raise ReportError(f"{arg}: not a recognised results file: {_EXPECTED}")
    return [(str(path), kind, data)]


def _try_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- plots

_COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]


_METHOD_COLORS = {"host": 0, "kernel-copy": 1, "clone": 2, "auto": 3, "nfs-copy": 4, "nfs-copy-sync": 4,
                  "nfs-copy-async": 5, "xcopy": 6, "scsi-xcopy": 6, "odx": 8, "scsi-odx": 8, "nvme-copy": 9}


def method_colors(methods):
    """The same colour for a method name in every plot; unknown names take the unused colours."""
    colors = {m: _COLORS[_METHOD_COLORS[m]] for m in methods if m in _METHOD_COLORS}
    free = [c for c in _COLORS if c not in colors.values()] or _COLORS
    for i, m in enumerate(m for m in methods if m not in colors):
        colors[m] = free[i % len(free)]
    return colors


def png_base64(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _scaled_axis(ax, maximum, kind, label):
    """Scales a bytes or B/s axis to a binary unit; returns the factor."""
    factor, unit = binary_unit(maximum or 1)
    ax.set_ylabel(f"{label} ({unit}{'/s' if kind == 'rate' else ''})")
    return factor


def grouped_bars(ax, groups, series, values, colors, log=False, fmt=None):
    """Bars: one group per `groups` entry, one bar per series; values[(group, series)] or missing.
    A missing (or failed) value is marked 'n/a' on the axis."""
    n = max(len(series), 1)
    width = 0.8 / n
    positive = [v for v in values.values() if v is not None and v > 0]
    floor = min(positive) if positive else 1
    for j, s in enumerate(series):
        xs, ys = [], []
        for i, g in enumerate(groups):
            v = values.get((g, s))
            x = i - 0.4 + width * (j + 0.5)
            if v is None or (log and not v > 0):
                ax.text(x, floor if log else 0, "n/a", ha="center", va="bottom", fontsize=7, rotation=90, color="#888")
                continue
            xs.append(x)
            ys.append(v)
        ax.bar(xs, ys, width, label=s, color=colors.get(s))
        if fmt and len(groups) * n <= 24:
            for x, y in zip(xs, ys):
                ax.text(x, y, fmt(y), ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=0 if max((len(g) for g in groups), default=0) < 16 else 20,
                       ha="center" if max((len(g) for g in groups), default=0) < 16 else "right")
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)


def _wants_log(values):
    positive = [v for v in values if v is not None and v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) > 50


# ---------------------------------------------------------------- sections

class Section:
    """One part of the page: heading, notes, figures, tables; rows for CSV/JSON."""

    def __init__(self, title, source, kind):
        self.title, self.source, self.kind = title, source, kind
        self.notes = []     # HTML snippets (already escaped)
        self.figures = []   # (alt, base64 png, caption)
        self.tables = []    # (caption, headers, rows of strings)
        self.data = {}      # csv name -> list of dicts

    def figure(self, fig, alt, caption):
        self.figures.append((alt, png_base64(fig), caption))


def _label_point(point, keys):
    if len(keys) == 1:
        return str(point.get(keys[0], "-"))
    return ", ".join(f"{k}={point.get(k, '-')}" for k in keys) if keys else "(one point)"


def sim_sections(path, records):
    """One section per scenario in a results.json."""
    _require(path, "sim", records, ("method", "summary"), "run record")
    by_scenario = {}
    for r in records:
        by_scenario.setdefault(r.get("scenario") or "scenario", []).append(r)
    return [_sim_section(path, name, runs) for name, runs in by_scenario.items()]


def sim_rows(name, runs):
    """The numbers of a scenario: one dict per point x method (with savings vs host at that point)."""
    keys = []
    for r in runs:
        keys += [k for k in r.get("point", {}) if k not in keys]
    rows = []
    for r in runs:
        s, m = r.get("summary", {}), r.get("metrics", {})
        row = {"scenario": name, "point": _label_point(r.get("point", {}), keys)}
        row.update({k: r.get("point", {}).get(k) for k in keys})
        row.update(method=r.get("method"), network_model=r.get("network_model"),
                   copies=s.get("copies"), done=s.get("done"), failed=s.get("failed"), cancelled=s.get("cancelled"),
                   bytes=s.get("bytes"), makespan_s=s.get("makespan_s"), mean_latency_s=s.get("mean_latency_s"),
                   throughput_Bps=s.get("aggregate_throughput_Bps"),
                   shared_link_bytes=sum(m.get("link_bytes", {}).get(n, 0) for n in m.get("shared_links", [])),
                   client_cpu_s=sum(m.get("cpu_busy_s", {}).get(n, 0) for n in m.get("client_hosts", [])),
                   client_cpu_s_per_GiB=s.get("client_cpu_s_per_GiB"), server_cpu_s_per_GiB=s.get("server_cpu_s_per_GiB"),
                   shared_links=" ".join(m.get("shared_links", [])))
        b = r.get("bottleneck") or {}
        row["bound"] = b.get("bound")
        row["link_busy"] = (b.get("utilisation") or {}).get("link")
        for k in _SHARES:
            row[f"share_{k}"] = (b.get("shares") or {}).get(k)
        rows.append(row)
    for row in rows:
        host = next((h for h in rows if h["point"] == row["point"] and h["method"] == "host"), None)
        # Only runs whose copies all completed are compared with host (a failed copy saves nothing).
        ok = (host is not None and host.get("makespan_s") and row.get("makespan_s")
              and row.get("done") == row.get("copies") and host.get("done") == host.get("copies"))
        row["speedup_vs_host"] = host["makespan_s"] / row["makespan_s"] if ok else None
        row["net_bytes_saved"] = host["shared_link_bytes"] - row["shared_link_bytes"] if ok else None
        row["cpu_s_saved"] = host["client_cpu_s"] - row["client_cpu_s"] if ok else None
    return keys, rows


#: The classes a run's time is attributed to (results.json "bottleneck", sim/bottleneck.hpp).
_SHARES = ("link", "disk", "cpu", "round_trips")
_SHARE_COLORS = {"link": "#4c72b0", "disk": "#dd8452", "cpu": "#c44e52", "round_trips": "#8c8c8c"}


def fmt_percent(x):
    """0.93 -> '93%', 0.0061 -> '0.61%'."""
    if x is None:
        return "-"
    return f"{100 * x:.0f}%" if x >= 0.1 else f"{100 * x:.2g}%"


def fmt_share(row):
    """'link 94%' from a row's bound and its share of the time."""
    bound = row.get("bound")
    share = row.get(f"share_{bound}") if bound else None
    return "-" if share is None else f"{bound.replace('_', ' ')} {100 * share:.0f}%"


def _bottleneck_figure(sec, name, rows, points, methods):
    """Stacked bars: each run's time split into link, disk, CPU and round trips."""
    runs = [(p, m) for p in points for m in methods]
    value = {(r["point"], r["method"]): r for r in rows}
    runs = [(p, m) for p, m in runs if (p, m) in value and value[(p, m)].get("bound")]
    if not runs:
        return
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(runs) + 2), 3.8))
    bottom = [0.0] * len(runs)
    for k in _SHARES:
        heights = [value[run][f"share_{k}"] or 0 for run in runs]
        ax.bar(range(len(runs)), heights, 0.7, bottom=bottom, label=k.replace("_", " "), color=_SHARE_COLORS[k])
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels([f"{p}\n{m}" if len(points) > 1 else m for p, m in runs], rotation=90, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of the run's time")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.18))
    sec.figure(fig, f"{name}: what bounded each run",
               "Each run's time split by the utilisation law: the busiest link direction, disk and CPU (lane or all cores) "
               "each take their utilisation (scaled down when they overlap); the rest is round trips.")


def _sim_section(path, name, runs):
    keys, rows = sim_rows(name, runs)
    models = sorted({r.get("network_model") for r in runs if r.get("network_model")})
    sec = Section(f"Simulation: {name}", path, "sim")
    sec.data[f"sim-{name}"] = rows
    sec.point_keys = keys
    methods = list(dict.fromkeys(r["method"] for r in rows))
    methods.sort(key=lambda m: m != "host")
    points = list(dict.fromkeys(r["point"] for r in rows))
    colors = method_colors(methods)
    value = {(r["point"], r["method"]): r for r in rows}
    sec.notes.append(f"{len(points)} point(s) x {len(methods)} method(s): {html.escape(', '.join(methods))}; "
                     f"network model {html.escape(', '.join(models) or '?')}. Throughput = bytes copied / makespan "
                     "(all copies of the run).")
    # A single swept parameter with numeric values: curves against it.
    varying = [k for k in keys if len({r[k] for r in rows}) > 1]
    curve = None
    if len(varying) == 1 and len(keys) == 1:
        k = varying[0]
        raw = list(dict.fromkeys(r[k] for r in rows))
        axis = numeric_axis(raw)
        if axis:
            curve = (k, dict(zip(raw, axis[0])), axis[1])
            order = {r["point"]: curve[1][r[k]] for r in rows}
            points.sort(key=order.get)

    def plot_metric(ax, field, label, kind):
        vals = [r[field] for r in rows if r[field] is not None]
        maximum = max(vals, default=0)
        if kind in ("rate", "bytes"):
            factor = _scaled_axis(ax, maximum, kind, label)
        else:
            factor = 1
            ax.set_ylabel(label)
        if curve:
            k, xs, unit = curve
            for i, m in enumerate(methods):  # shrinking markers keep lines that coincide visible
                pts = sorted((xs[r[k]], r[field] / factor) for r in rows if r["method"] == m and r[field] is not None)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="osD^vP"[i % 6], label=m, color=colors[m],
                        markersize=max(3.0, 8 - 1.3 * i), linewidth=max(1.0, 2.2 - 0.3 * i))
            xv = list(xs.values())
            if min(xv) > 0 and max(xv) / min(xv) >= 20:
                ax.set_xscale("log")
            ax.set_xticks(sorted(set(xv)))
            ax.set_xticklabels([f"{x:g}" for x in sorted(set(xv))])
            if ax.get_xscale() == "log":
                ax.minorticks_off()
            ax.set_xlabel(f"{k} ({unit})" if unit else k)
            ax.grid(alpha=0.3)
            if kind == "rate" and _wants_log(vals):
                ax.set_yscale("log")
        else:
            vv = {(r["point"], r["method"]): (r[field] / factor if r[field] is not None else None) for r in rows}
            grouped_bars(ax, points, methods, vv, colors, log=kind == "rate" and _wants_log(vals),
                         fmt=lambda y: f"{y:.3g}")
            ax.set_xlabel(", ".join(keys) if keys else "")

    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    plot_metric(ax, "throughput_Bps", "throughput", "rate")
    ax.set_title(f"{name}: throughput, host vs offload")
    ax.legend(title="method", fontsize=8)
    sec.figure(fig, f"{name} throughput per method",
               "Aggregate throughput of each method" + (" against the swept parameter." if curve else " at each point."))

    has_net = any(r["shared_links"] for r in rows)
    has_cpu = any((r["client_cpu_s"] or 0) > 0 for r in rows)
    panels = [p for p in (("shared_link_bytes", "bytes on shared links", "bytes") if has_net else None,
                          ("client_cpu_s", "client CPU busy (s)", "seconds") if has_cpu or not has_net else None) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(8.5 if len(panels) == 1 else 11, 4.0), squeeze=False)
    for ax, (field, label, kind) in zip(axes[0], panels):
        plot_metric(ax, field, label, kind)
        ax.set_title(label.split(" (")[0])
        ax.set_ylim(bottom=0)
    axes[0][0].legend(title="method", fontsize=8)
    fig.suptitle(f"{name}: what offloading saves (lower is better)")
    fig.tight_layout()
    sec.figure(fig, f"{name} network bytes and client CPU per method",
               ("Bytes that crossed the shared links and " if has_net else "")
               + "CPU seconds the client hosts spent: offloaded methods move the data elsewhere.")
    if not has_net:
        sec.notes.append("No shared network links in this scenario: only client CPU is shown.")
    _bottleneck_figure(sec, name, rows, points, methods)
    one = len(keys) == 1
    head = [keys[0] if one else "point", "method", "copies done", "makespan s", "throughput", "speedup vs host", "shared net",
            "net saved", "net use", "client CPU s", "CPU s saved", "client CPU s/GiB", "server CPU s/GiB",
            "bound (share of time)"]
    table = []
    for p in points:
        for m in methods:
            r = value.get((p, m))
            if r is None:
                continue
            done = f"{r['done']}/{r['copies']}" + (f" ({r['failed']} failed)" if r.get("failed") else "")
            table.append([r[keys[0]] if one else p, m, done, fmt_num(r["makespan_s"]), fmt_rate(r["throughput_Bps"]),
                          fmt_ratio(r["speedup_vs_host"]), fmt_bytes(r["shared_link_bytes"]) if has_net else "-",
                          fmt_bytes(r["net_bytes_saved"]) if has_net and r["net_bytes_saved"] is not None else "-",
                          fmt_percent(r["link_busy"]) if has_net else "-", fmt_num(r["client_cpu_s"]),
                          fmt_num(r["cpu_s_saved"]), fmt_num(r["client_cpu_s_per_GiB"]),
                          fmt_num(r["server_cpu_s_per_GiB"]), fmt_share(r)])
    sec.tables.append(("Runs (saved = host's value minus this method's, at the same point; net use = the busiest link "
                       "direction's bytes over what it can carry in the makespan)", head, table))
    return sec


def _require(path, kind, items, keys, what):
    """ReportError naming the file when an item lacks one of `keys`."""
    for i, item in enumerate(items):
        missing = [k for k in keys if not isinstance(item, dict) or k not in item]
        if missing:
            raise ReportError(f"{path}: malformed {kind} results: {what} #{i + 1} lacks {', '.join(missing)}")


def compare_section(path, data):
    _require(path, "compare", data["rows"], ("fs", "method", "outcome"), "row")
    rows = []
    for r in data["rows"]:
        rows.append({k: r.get(k) for k in ("directory", "fs", "method", "outcome", "methods_used", "median_seconds",
                                            "bytes_per_second", "cpu_seconds", "speedup_vs_host", "verified")})
    sec = Section("Real files: offload compare", path, "compare")
    sec.data["compare"] = rows
    size = data.get("size_bytes")
    sec.notes.append(f"{len(rows)} row(s); file size {html.escape(fmt_bytes(size) if size else '?')}, "
                     f"{html.escape(str(data.get('repeat', '?')))} timed copies per method (median), "
                     f"queue depth {html.escape(str(data.get('queue_depth', '?')))}.")
    ok = [r for r in rows if r["outcome"] == "ok"]
    fss = list(dict.fromkeys(r["fs"] or r["directory"] or "?" for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    methods.sort(key=lambda m: m != "host")
    colors = method_colors(methods)
    if ok:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
        rates = {((r["fs"] or r["directory"] or "?"), r["method"]): r["bytes_per_second"] for r in ok}
        factor = _scaled_axis(a1, max(v for v in rates.values() if v) if any(rates.values()) else 1, "rate", "throughput")
        log = _wants_log(rates.values())
        grouped_bars(a1, fss, methods, {k: v / factor if v else None for k, v in rates.items()}, colors, log=log,
                     fmt=lambda y: f"{y:.3g}")
        a1.set_title("throughput (median)" + (", log scale" if log else ""))
        a1.set_xlabel("filesystem")
        a1.legend(title="method", fontsize=8)
        cpu = {((r["fs"] or r["directory"] or "?"), r["method"]): r["cpu_seconds"] for r in ok}
        grouped_bars(a2, fss, methods, cpu, colors, fmt=lambda y: f"{y:.3g}")
        a2.set_ylabel("host CPU per copy (s)")
        a2.set_title("host CPU seconds (lower is better)")
        a2.set_xlabel("filesystem")
        a2.set_ylim(bottom=0)
        fig.tight_layout()
        sec.figure(fig, "compare: throughput and CPU seconds per filesystem and method",
                   "Each method on each filesystem; n/a: the method cannot copy there (see the table).")
    else:
        sec.notes.append("No method succeeded: nothing to plot.")
    head = ["fs", "method", "methods used", "median s", "throughput", "CPU s", "vs host", "verified", "outcome"]
    table = [[r["fs"] or r["directory"] or "?", r["method"], r["methods_used"] or "-",
              fmt_num(r["median_seconds"]) if r["outcome"] == "ok" else "-",
              fmt_rate(r["bytes_per_second"]) if r["outcome"] == "ok" else "-",
              fmt_num(r["cpu_seconds"]) if r["outcome"] == "ok" else "-", fmt_ratio(r["speedup_vs_host"]),
              fmt_num(bool(r["verified"])), r["outcome"]] for r in rows]
    sec.tables.append(("Every filesystem x method", head, table))
    return sec


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
    _require(path, "benchmark", data["benchmarks"], ("name",), "benchmark")
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
            ax.text(v / factor, y, " " + (fmt_rate(v) if use_rate else f"{v:.3g} s"), va="center", fontsize=7)
        ax.set_yticks(list(ys))
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        if _wants_log(vals):
            ax.set_xscale("log")
        ax.grid(axis="x", alpha=0.3)
        ax.set_title("throughput per benchmark" if use_rate else "time per benchmark")
        sec.figure(fig, "benchmark throughput", "One bar per benchmark that ran"
                   + (" (bytes_per_second)." if use_rate else " (real time per iteration)."))
    else:
        sec.notes.append("No benchmark ran without an error: nothing to plot.")
    head = ["benchmark", "time", "throughput", "CPU s per copy", "label"]
    sec.tables.append(("Benchmarks that ran", head,
                       [[r["name"], f"{r['real_time_s']:.4g} s" if r["real_time_s"] is not None else "-",
                         fmt_rate(r["bytes_per_second"]), fmt_num(r["cpu_s_per_copy"]), r["label"] or ""]
                        for r in good]))
    bad = [r for r in rows if r["error"]]
    if bad:
        sec.tables.append((f"Skipped or errored ({len(bad)})", ["benchmark", "message"],
                           [[r["name"], r["error_message"] or "(no message)"] for r in bad]))
    return sec


def calibration_section(path, data):
    """Sim vs real (calibrated): `offload calibrate`'s simulated replay of the measured copies next to them."""
    _require(path, "calibration", data["rows"], ("fs", "method", "measured_Bps", "predicted_Bps", "error"), "row")
    points = data.get("points", [])
    _require(path, "calibration", points, ("fs", "method", "size_bytes", "queue_depth", "measured_s"), "point")
    target = float(data.get("target", 0.10))
    rows = [{k: r.get(k) for k in ("fs", "method", "points", "measured_Bps", "predicted_Bps", "error", "worst_point_error",
                                   "spread_low_Bps", "spread_high_Bps")}
            for r in data["rows"]]
    for r in rows:
        lo, hi = r.get("spread_low_Bps"), r.get("spread_high_Bps")
        r["within_spread"] = bool(lo and hi and lo <= r["predicted_Bps"] <= hi)
        r["within_target"] = abs(r["error"]) <= target or r["within_spread"]
    sec = Section("Sim vs real (calibrated)", path, "calibration")
    sec.data["calibration"] = rows
    sec.data["calibration-points"] = [{k: p.get(k) for k in ("fs", "method", "size_bytes", "queue_depth", "measured_s",
                                                             "predicted_s", "error", "measured_cpu_s")} for p in points]
    fit = data.get("fit", {})
    sizes = ", ".join(fmt_bytes(b) for b in data.get("sizes_bytes", []))
    depths = ", ".join(str(q) for q in data.get("queue_depths", []))
    sec.notes.append(html.escape(
        f"`offload calibrate` timed real copies ({sizes or '?'}; queue depths {depths or '?'}; median of "
        f"{data.get('repeat', '?')} after a verified warm-up), fitted the simulator's CPU and local-filesystem "
        f"constants by least squares, and replayed the same copies in the simulator on the calibrated host. "
        f"Throughput = bytes of all a method's copies / their seconds; target: within {target:.0%} per method."))
    if data.get("held_out"):
        sec.notes.append(html.escape(
            "Measured here = the held-out copies (every 2nd timed copy of each point), which the fit did not use: "
            "the error is how well the calibrated simulation predicts copies it was not fitted to."))
    for f in data.get("failures", []):
        sec.notes.append(html.escape(f"{f.get('fs')} {f.get('method')}: {f.get('outcome')} (not calibrated)."))
    for m in data.get("matching", []):
        for note in m.get("notes", []):
            sec.notes.append(html.escape(f"{m.get('fs')}: {note}."))
    labels = [f"{r['fs']} {r['method']}" for r in rows]
    if rows:
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.4))
        values = {}
        for r, label in zip(rows, labels):
            values[(label, "measured")] = r["measured_Bps"]
            values[(label, "simulated (calibrated)")] = r["predicted_Bps"]
        factor = _scaled_axis(a1, max(v for v in values.values() if v) or 1, "rate", "throughput")
        grouped_bars(a1, labels, ["measured", "simulated (calibrated)"], {k: v / factor for k, v in values.items()},
                     {"measured": _COLORS[0], "simulated (calibrated)": _COLORS[1]}, log=_wants_log(values.values()))
        for i, r in enumerate(rows):  # the error above each pair of bars
            top = max(r["measured_Bps"] or 0, r["predicted_Bps"] or 0) / factor
            if top > 0:
                a1.annotate(f"{r['error']:+.1%}", (i, top), xytext=(0, 3), textcoords="offset points", ha="center",
                            fontsize=7, color="#2a7" if r["within_target"] else "#c33")
        a1.set_title("throughput per method: measured vs simulated")
        a1.legend(fontsize=8)
        pts = [p for p in points if p.get("predicted_s")]
        fss = list(dict.fromkeys(p["fs"] for p in pts))
        colors = method_colors(list(dict.fromkeys(p["method"] for p in pts)))
        for p in pts:
            a2.scatter(p["measured_s"], p["predicted_s"], color=colors[p["method"]], s=18,
                       marker="osD^v"[fss.index(p["fs"]) % 5])
        if pts:
            lo = min(min(p["measured_s"], p["predicted_s"]) for p in pts) / 1.5
            hi = max(max(p["measured_s"], p["predicted_s"]) for p in pts) * 1.5
            a2.plot([lo, hi], [lo, hi], color="#444", lw=0.8, ls="--")
            a2.fill_between([lo, hi], [lo / (1 + target), hi / (1 + target)], [lo / (1 - target), hi / (1 - target)],
                            color="#999", alpha=0.15, lw=0)
            a2.set_xscale("log")
            a2.set_yscale("log")
        for m, c in colors.items():
            a2.scatter([], [], color=c, label=m, s=18)
        for i, f in enumerate(fss):
            a2.scatter([], [], color="#777", marker="osD^v"[i % 5], label=f, s=18)
        a2.set_xlabel("measured seconds (median)")
        a2.set_ylabel("simulated seconds")
        a2.set_title("every copy: size x queue depth")
        a2.legend(fontsize=7)
        a2.grid(alpha=0.3)
        fig.tight_layout()
        sec.figure(fig, "calibrated simulation vs measured throughput",
                   "Left: throughput per filesystem and method (label: simulated vs measured error). "
                   f"Right: each measured point; the band is ±{target:.0%}.")
    def spread(r):
        if not (r.get("spread_low_Bps") and r.get("spread_high_Bps") and r["measured_Bps"]):
            return "-"
        return (f"{r['spread_low_Bps'] / r['measured_Bps'] - 1:+.0%} .. "
                f"{r['spread_high_Bps'] / r['measured_Bps'] - 1:+.0%}")

    def verdict(r):
        if abs(r["error"]) <= target:
            return "yes"
        return "in spread" if r["within_spread"] else "NO"

    head = ["fs", "method", "points", "measured", "measured spread", "simulated", "error", "worst point",
            f"within {target:.0%} or spread"]
    sec.tables.append(("Sim vs real (calibrated), per method per filesystem", head,
                       [[r["fs"], r["method"], fmt_num(r["points"]), fmt_rate(r["measured_Bps"]), spread(r),
                         fmt_rate(r["predicted_Bps"]), f"{r['error']:+.1%}",
                         f"{r['worst_point_error']:+.1%}" if r.get("worst_point_error") is not None else "-",
                         verdict(r)] for r in rows]))
    if fit:
        consts = [["cores", fmt_num(fit.get("cores"))],
                  ["memcpy_bandwidth", fmt_rate(fit.get("memcpy_Bps"))],
                  ["per_op_cpu", f"{fit.get('per_op_s', 0) * 1e6:.3g} us"]]
        for f in fit.get("filesystems", []):
            consts.append([f"{f['fs']} core_speed", fmt_num(f.get("core_speed"))])
            if f.get("kernel_copy_Bps"):
                consts.append([f"{f['fs']} kernel_copy_bandwidth", fmt_rate(f["kernel_copy_Bps"])])
            if f.get("reflink"):
                consts.append([f"{f['fs']} clone", f"{f.get('clone_fixed_s', 0) * 1e6:.3g} us + "
                               f"{f.get('clone_per_GiB_s', 0) * 1e6:.3g} us/GiB"
                               + (" (copy_file_range too)" if f.get("copy_range_reflinks") else "")])
        sec.tables.append(("Fitted constants (calibration.toml)", ["constant", "value"], consts))
    return sec


def guest_model_section(path, data):
    """Model vs real (remote paths): bench/guest_model_vs_real.sh's guest copies (NFS, iSCSI) next to the
    simulation of a scenario built from the guests' measured inputs, with the prediction error of each point."""
    rows = []
    for name, result in data["paths"].items():
        _require(path, "guest-model", result["rows"], ("method", "rate", "bytes", "measured_s", "simulated_s",
                                                       "error_pct", "held_out"), "row")
        rows += [{"path": name, **{k: r.get(k) for k in ("method", "rate", "bytes", "measured_s", "spread_low_s",
                                                          "spread_high_s", "repetitions", "simulated_s", "error_pct",
                                                          "in_spread", "held_out")}} for r in result["rows"]]
    sec = Section("Model vs real (remote paths)", path, "guest-model")
    sec.data["guest-model-vs-real"] = rows
    split = ("the first rate's points; the other rates are predicted" if data.get("split") == "rate"
             else "the even repetitions; the odd ones are predicted")
    sec.notes.append(html.escape(
        f"Copies timed in QEMU guests ({data.get('emulation', 'TCG')}) over a veth pair shaped with tc: sizes "
        f"{', '.join(data.get('sizes', []))}, rates {', '.join(data.get('rates', []))}, median of "
        f"{data.get('repeat', '?')} repetitions. Each path's scenario is built from what the guest measured "
        f"(memcpy, TCP rate and round trip, disk rates); its knobs are fitted on {split}. "
        f"Command: {data.get('command', '?')}"))
    if data.get("held_out_median_abs_error_pct") is not None:
        sec.notes.append(html.escape(f"All paths: median absolute error over the held-out points "
                                     f"{data['held_out_median_abs_error_pct']:.1f} % (goal 25 %)."))
    for name, result in data["paths"].items():
        cal = result.get("calibration", {})
        knobs = ", ".join(f"{k} = {fmt_num(v.get('value'))}" for k, v in cal.get("knobs", {}).items())
        error = result.get("held_out_median_abs_error_pct")
        sec.notes.append(html.escape(
            f"{name}: fitted {knobs or '-'}; median absolute error over {result.get('held_out_points', 0)} held-out "
            f"points {'-' if error is None else f'{error:.1f} %'} (goal 25 %)."
            + (f" On a bound (the model cannot explain these points): {', '.join(cal['on_bound'])}."
               if cal.get("on_bound") else "")))
    if rows:
        fig, ax = plt.subplots(figsize=(7, 4.6))
        colors = method_colors(list(dict.fromkeys(r["method"] for r in rows)))
        for r in rows:
            ax.scatter(r["measured_s"], r["simulated_s"], color=colors[r["method"]], s=22,
                       marker="o" if r["held_out"] else "x")
        lo = min(min(r["measured_s"], r["simulated_s"]) for r in rows) / 1.5
        hi = max(max(r["measured_s"], r["simulated_s"]) for r in rows) * 1.5
        ax.plot([lo, hi], [lo, hi], color="#444", lw=0.8, ls="--")
        ax.fill_between([lo, hi], [lo * 0.75, hi * 0.75], [lo * 1.25, hi * 1.25], color="#999", alpha=0.15, lw=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        for m, c in colors.items():
            ax.scatter([], [], color=c, label=m, s=22)
        ax.scatter([], [], color="#777", marker="o", label="held out", s=22)
        ax.scatter([], [], color="#777", marker="x", label="fitted", s=22)
        ax.set_xlabel("measured seconds (median)")
        ax.set_ylabel("simulated seconds")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        sec.figure(fig, "guest copies: simulated vs measured seconds",
                   "Each point is one path x method x rate x size; the band is ±25 %.")
    head = ["path", "method", "rate", "size", "measured s (median)", "spread s (min..max)", "simulated s", "error",
            "held out"]
    sec.tables.append(("Model vs real, every point (held out: predicted, not fitted)", head,
                       [[r["path"], r["method"], r["rate"], fmt_bytes(r["bytes"]), fmt_num(r["measured_s"]),
                         f"{fmt_num(r['spread_low_s'])} .. {fmt_num(r['spread_high_s'])}", fmt_num(r["simulated_s"]),
                         f"{r['error_pct']:+.1f}%" + (" (in spread)" if r.get("in_spread") else ""),
                         "yes" if r["held_out"] else "fit"] for r in rows]))
    return sec


def sim_vs_real_section(sims, reals):
    """Speedup over host per method: each simulated point next to each real filesystem.
    sims: [(scenario, point keys, rows)], reals: [(source label, {method: speedup})]."""
    real_methods = {m for _, sp in reals for m in sp}
    sources, values = [], {}
    for name, keys, rows in sims:
        for r in rows:
            if r["method"] in real_methods and r["method"] != "host" and r["speedup_vs_host"]:
                point = f"{keys[0]}={r['point']}" if len(keys) == 1 else r["point"]
                label = f"sim {name}" + (f" ({point})" if r["point"] != "(one point)" else "")
                sources.append(label)
                values[(r["method"], label)] = r["speedup_vs_host"]
    if not values:
        return None
    sim_methods = {m for m, _ in values}
    for label, sp in reals:
        for m, v in sp.items():
            if m in sim_methods and v:
                sources.append(label)
                values[(m, label)] = v
    sources = list(dict.fromkeys(sources))
    methods = sorted(sim_methods)
    sec = Section("Simulation vs real: speedup over host", "all inputs", "sim-vs-real")
    sec.data["sim-vs-real"] = [{"method": m, "source": s, "speedup_vs_host": values[(m, s)]}
                               for m in methods for s in sources if (m, s) in values]
    sec.notes.append("The simulated machine is the scenario's, not this one: compare the shape (which method wins, "
                     "by how much), not absolute times. Speedup = host time / method time at the same point "
                     "or on the same filesystem.")
    colors = {s: _COLORS[i % len(_COLORS)] for i, s in enumerate(sources)}
    fig, ax = plt.subplots(figsize=(9, 4.2))
    grouped_bars(ax, methods, sources, values, colors, log=_wants_log(values.values()), fmt=fmt_ratio)
    ax.axhline(1, color="#444", lw=0.8, ls="--")
    ax.set_ylabel("speedup over host (x)")
    ax.set_xlabel("method")
    ax.set_title("speedup over host: simulated vs measured")
    ax.legend(fontsize=7, ncol=1 if len(sources) < 6 else 2, loc="upper left", bbox_to_anchor=(1.01, 1))
    sec.figure(fig, "simulated vs measured speedup over host", "Bars above the dashed line: faster than host.")
    sec.tables.append(("Speedup over host", ["method", "source", "speedup"],
                       [[r["method"], r["source"], fmt_ratio(r["speedup_vs_host"])] for r in sec.data["sim-vs-real"]]))
    return sec


# ---------------------------------------------------------------- page

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
main{max-width:1250px;margin:0 auto;padding:1.2em 2em 3em}
h1{font-size:1.7em;margin:.3em 0 .1em} h2{font-size:1.3em;border-bottom:2px solid #4c72b0;padding-bottom:.2em;margin-top:2em}
.meta{color:#555;font-size:.92em} .src{color:#666;font-size:.85em;font-family:monospace;word-break:break-all}
figure{margin:1em 0;background:#fff;border:1px solid #ddd;border-radius:4px;padding:.6em;text-align:center}
figure img{max-width:100%;height:auto} figcaption{font-size:.85em;color:#555;margin-top:.3em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.2em;background:#fff}
th,td{border:1px solid #ddd;padding:.25em .6em;white-space:nowrap}
th{background:#eef2f8} .n{text-align:right} .t{text-align:left}
caption{text-align:left;font-weight:600;padding:.3em 0}
.wrap{overflow-x:auto} ul.inputs{font-size:.9em} .note{font-size:.92em}
td.msg{white-space:normal;text-align:left;min-width:20em;max-width:48em}
"""


_NUMERIC = re.compile(r"^(-|[-+]?[\d.]+(e[-+]?\d+)?( ?[A-Za-z]+(/s)?|x)?|\d+/\d+.*)$")


def render_html(title, generated, inputs, sections, data_files):
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>",
           f"<h1>{e(title)}</h1>", f'<p class="meta">Generated {e(generated)} by <code>offload report</code>.</p>',
           "<p class=\"meta\">Inputs:</p><ul class=\"inputs\">"]
    out += [f"<li><code>{e(p)}</code> ({e(k)})</li>" for p, k in inputs]
    out.append("</ul>")
    if sections:
        out.append('<p class="meta">Sections: ' + " · ".join(
            f'<a href="#s{i}">{e(s.title)}</a>' for i, s in enumerate(sections, 1)) + "</p>")
    for i, s in enumerate(sections, 1):
        out.append(f'<section id="s{i}"><h2>{e(s.title)}</h2><p class="src">{e(s.source)}</p>')
        out += [f'<p class="note">{n}</p>' for n in s.notes]
        for alt, b64, caption in s.figures:
            out.append(f'<figure><img src="data:image/png;base64,{b64}" alt="{e(alt)}">'
                       f"<figcaption>{e(caption)}</figcaption></figure>")
        for caption, head, rows in s.tables:
            out.append(f'<div class="wrap"><table><caption>{e(caption)}</caption><thead>')
            text = [not all(_NUMERIC.match(str(row[j])) for row in rows) for j in range(len(head))]
            out.append("<tr>" + "".join(f'<th class="{"t" if text[j] else "n"}">{e(h)}</th>'
                                        for j, h in enumerate(head)) + "</tr></thead><tbody>")
            for row in rows:
                out.append("<tr>" + "".join(
                    f'<td class="{("msg" if len(str(c)) > 40 else "t") if text[j] else "n"}">{e(str(c))}</td>'
                    for j, c in enumerate(row)) + "</tr>")
            out.append("</tbody></table></div>")
        out.append("</section>")
    out.append('<h2>Data</h2><p class="note">The numbers behind every plot, next to this page: '
               + ", ".join(f'<a href="data/{e(f)}">data/{e(f)}</a>' for f in data_files) + ".</p>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def _clean(v):
    return None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v


def write_csv(path, rows):
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if _clean(v) is None else v) for k, v in r.items()})


def build_report(inputs, out_dir, title="Copy offload report"):
    """Loads every input, writes out_dir/index.html, data/*.csv, data/summary.json; returns the summary dict."""
    loaded = []
    for arg in inputs:
        loaded += load_input(arg)
    sections, sims, reals = [], [], []
    for path, kind, data in loaded:
        try:
            if kind == "sim":
                for sec in sim_sections(path, data):
                    sections.append(sec)
                    name, rows = next(iter(sec.data.items()))
                    sims.append((name.removeprefix("sim-"), sec.point_keys, rows))
            elif kind == "calibration":
                sections.append(calibration_section(path, data))
            elif kind == "guest-model":
                sections.append(guest_model_section(path, data))
            elif kind == "compare":
                sec = compare_section(path, data)
                sections.append(sec)
                for fs in dict.fromkeys(r["fs"] for r in sec.data["compare"]):
                    sp = {r["method"]: r["speedup_vs_host"] for r in sec.data["compare"]
                          if r["fs"] == fs and r["outcome"] == "ok" and r["speedup_vs_host"]}
                    if sp:
                        reals.append((f"real {fs} (compare)", sp))
            else:
                sec = benchmark_section(path, data)
                sections.append(sec)
                rows = next(iter(sec.data.values()))
                for fs in dict.fromkeys(r["fs"] for r in rows if r["fs"]):
                    t = {r["method"]: r["real_time_s"] for r in rows if r["fs"] == fs and not r["error"] and r["real_time_s"]}
                    if t.get("host"):
                        reals.append((f"real {fs} (benchmark)", {m: t["host"] / v for m, v in t.items()}))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ReportError(f"{path}: malformed {kind} results ({type(e).__name__}: {e})") from None
    if sims and reals:
        sec = sim_vs_real_section(sims, reals)
        if sec:
            sections.append(sec)
    out = Path(out_dir)
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    files, used = [], set()
    for sec in sections:
        for name, rows in sec.data.items():
            base = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            fname, n = f"{base}.csv", 2
            while fname in used:
                fname, n = f"{base}-{n}.csv", n + 1
            used.add(fname)
            write_csv(data_dir / fname, rows)
            files.append(fname)
            sec.csv = getattr(sec, "csv", []) + [fname]
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    plots = sum(len(s.figures) for s in sections)
    summary = {"title": title, "generated": generated, "plots": plots,
               "inputs": [{"path": p, "kind": k} for p, k, _ in loaded],
               "sections": [{"title": s.title, "source": s.source, "kind": s.kind, "plots": len(s.figures),
                             "csv": getattr(s, "csv", []),
                             "tables": {n: [{k: _clean(v) for k, v in r.items()} for r in rows]
                                        for n, rows in s.data.items()}} for s in sections]}
    with open(data_dir / "summary.json", "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    files.append("summary.json")
    page = render_html(title, generated, [(p, k) for p, k, _ in loaded], sections, files)
    (out / "index.html").write_text(page)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(prog="offload report", description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="results dir or results.json of `offload sim`, compare.json, Google Benchmark JSON")
    parser.add_argument("--out", "-o", default="reports", help="output directory (default: reports)")
    parser.add_argument("--title", default="Copy offload report")
    args = parser.parse_args(argv)
    try:
        summary = build_report(args.inputs, args.out, args.title)
    except ReportError as e:
        print(f"offload report: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"offload report: {e.filename or args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"report: {Path(args.out) / 'index.html'} ({len(summary['sections'])} section(s), {summary['plots']} plot(s); "
          f"data in {Path(args.out) / 'data'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
