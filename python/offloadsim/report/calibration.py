"""Section: `offload calibrate`'s validation.json (sim vs real, calibrated)."""
import html

from .inputs import require
from .plots import COLORS, grouped_bars, method_colors, plt, scaled_axis, simulated_vs_measured_axes, wants_log
from .section import Section
from .units import format_bytes, format_duration, format_number, format_rate, format_value


def calibration_section(path, data):
    """Sim vs real (calibrated): `offload calibrate`'s simulated replay of the measured copies next to them."""
    require(path, "calibration", data["rows"], ("fs", "method", "measured_Bps", "predicted_Bps", "error"), "row")
    points = data.get("points", [])
    require(path, "calibration", points, ("fs", "method", "size_bytes", "queue_depth", "measured_s"), "point")
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
    sizes = ", ".join(format_bytes(b) for b in data.get("sizes_bytes", []))
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
        factor = scaled_axis(a1, max(v for v in values.values() if v) or 1, "rate", "throughput")
        grouped_bars(a1, labels, ["measured", "simulated (calibrated)"], {k: v / factor for k, v in values.items()},
                     {"measured": COLORS[0], "simulated (calibrated)": COLORS[1]}, log=wants_log(values.values()))
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
            simulated_vs_measured_axes(a2, lo, hi, 1 / (1 + target), 1 / (1 - target))
        for m, c in colors.items():
            a2.scatter([], [], color=c, label=m, s=18)
        for i, f in enumerate(fss):
            a2.scatter([], [], color="#777", marker="osD^v"[i % 5], label=f, s=18)
        a2.set_title("every copy: size x queue depth")
        a2.legend(fontsize=7)
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
                       [[r["fs"], r["method"], format_value(r["points"]), format_rate(r["measured_Bps"]), spread(r),
                         format_rate(r["predicted_Bps"]), f"{r['error']:+.1%}",
                         f"{r['worst_point_error']:+.1%}" if r.get("worst_point_error") is not None else "-",
                         verdict(r)] for r in rows]))
    if fit.get("filesystems"):
        sec.tables.append(constants_table(fit))
    return sec


def _positive(x):
    return x if isinstance(x, (int, float)) and x > 0 else None


#: calibration.toml's keys, each from the fit (validation.json "fit"): (key, what it is, value of one filesystem or
#: None when `offload calibrate` writes no such key for it: not applicable there).
_CONSTANTS = [
    ("cores", "cores of this machine", lambda fit, f: format_value(fit.get("cores"))),
    ("core_speed", "share of a core the copies got", lambda fit, f: format_number(f.get("core_speed"))),
    ("memcpy_bandwidth", "bytes/s one core moves in a host copy",
     lambda fit, f: format_rate(_positive(f.get("memcpy_Bps") or fit.get("memcpy_Bps")))),
    ("per_op_cpu", "CPU per operation (system call)", lambda fit, f: format_duration(fit.get("per_op_s"))),
    ("fs.reflink", "clones work", lambda fit, f: format_value(bool(f.get("reflink")))),
    ("fs.copy_range_reflinks", "copy_file_range remaps extents",
     lambda fit, f: format_value(bool(f.get("copy_range_reflinks")))),
    ("fs.kernel_copy_bandwidth", "bytes/s of copy_file_range's in-kernel copy",
     lambda fit, f: None if f.get("copy_range_reflinks") else format_rate(_positive(f.get("kernel_copy_Bps")))),
    ("fs.clone_fixed_cpu", "CPU per clone call",
     lambda fit, f: format_duration(f.get("clone_fixed_s")) if f.get("reflink") else None),
    ("fs.clone_cpu_per_GiB", "CPU per GiB cloned",
     lambda fit, f: format_duration(f.get("clone_per_GiB_s")) if f.get("reflink") else None),
    ("fs.remap_fixed_cpu", "CPU per remapping copy_file_range call",
     lambda fit, f: format_duration(f["remap_fixed_s"]) if f.get("copy_range_reflinks")
     and (f.get("remap_fixed_s") if f.get("remap_fixed_s") is not None else -1) >= 0
     else None),
    ("fs.host_copy_start", "wait before a host copy's first read",
     lambda fit, f: format_duration(_positive(f.get("host_copy_start_s"))) if _positive(f.get("host_copy_start_s"))
     else None),
    ("fs.write_share", "write side's share of a host copy's CPU (its writes serialise on the file's lock)",
     lambda fit, f: format_number(f["write_share"]) if f.get("write_share") is not None else None),
]


def constants_table(fit):
    """Every fitted constant per filesystem; a blank cell: not applicable there (calibration.toml omits the key)."""
    filesystems = fit["filesystems"]
    rows = []
    for key, what, value in _CONSTANTS:
        cells = [value(fit, f) for f in filesystems]
        rows.append([key, what] + ["" if c is None or c == "-" else c for c in cells])
    return ("Fitted constants (calibration.toml; blank: not applicable on that filesystem, the key is left out)",
            ["constant", "what"] + [f.get("fs", "?") for f in filesystems], rows)
