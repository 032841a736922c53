"""Section: the guest copies of bench/guest_model_vs_real.sh and bench/smb_guest_bench.sh next to their simulation."""
import html
import statistics

from .inputs import require
from .plots import method_colors, plt, simulated_vs_measured_axes
from .section import Section
from .units import format_bytes, format_duration, format_value


def guest_model_section(inputs):
    """Model vs real (remote paths): the guest copies of bench/guest_model_vs_real.sh (NFS, iSCSI) and
    bench/smb_guest_bench.sh (SMB), each [(path, data)] input next to the simulation of a scenario built
    from what its guest measured, with the prediction error of each point."""
    rows, notes = [], []
    for path, data in inputs:
        for name, result in data["paths"].items():
            require(path, "guest-model", result["rows"], ("method", "rate", "bytes", "measured_s", "simulated_s",
                                                           "error_pct", "held_out"), "row")
            rows += [{"path": name, **{k: r.get(k) for k in ("method", "rate", "bytes", "measured_s", "spread_low_s",
                                                              "spread_high_s", "repetitions", "simulated_s", "error_pct",
                                                              "in_spread", "held_out")}} for r in result["rows"]]
        notes += _input_notes(data)
    sec = Section("Model vs real (remote paths)", ", ".join(path for path, _ in inputs), "guest-model")
    sec.data["guest-model-vs-real"] = rows
    sec.notes += notes
    held = [abs(r["error_pct"]) for r in rows if r["held_out"]]
    if held:
        sec.notes.append(html.escape(f"All paths: median absolute error over the held-out points "
                                     f"{statistics.median(held):.1f} % (goal 25 %)."))
    if rows:
        fig, ax = plt.subplots(figsize=(7, 4.6))
        colors = method_colors(list(dict.fromkeys(r["method"] for r in rows)))
        for r in rows:
            ax.scatter(r["measured_s"], r["simulated_s"], color=colors[r["method"]], s=22,
                       marker="o" if r["held_out"] else "x")
        lo = min(min(r["measured_s"], r["simulated_s"]) for r in rows) / 1.5
        hi = max(max(r["measured_s"], r["simulated_s"]) for r in rows) * 1.5
        simulated_vs_measured_axes(ax, lo, hi, 0.75, 1.25)
        for m, c in colors.items():
            ax.scatter([], [], color=c, label=m, s=22)
        ax.scatter([], [], color="#777", marker="o", label="held out", s=22)
        ax.scatter([], [], color="#777", marker="x", label="fitted", s=22)
        ax.legend(fontsize=7)
        fig.tight_layout()
        sec.figure(fig, "guest copies: simulated vs measured seconds",
                   "Each point is one path x method x rate x size; the band is ±25 %.")
    head = ["path", "method", "rate", "size", "measured (median)", "spread (min..max)", "simulated", "error",
            "held out"]
    sec.tables.append(("Model vs real, every point (held out: predicted, not fitted)", head,
                       [[r["path"], r["method"], r["rate"], format_bytes(r["bytes"]), format_duration(r["measured_s"]),
                         f"{format_duration(r['spread_low_s'])} .. {format_duration(r['spread_high_s'])}", format_duration(r["simulated_s"]),
                         f"{r['error_pct']:+.1f}%" + (" (in spread)" if r.get("in_spread") else ""),
                         "yes" if r["held_out"] else "fit"] for r in rows]))
    return sec


def _input_notes(data):
    """What one input measured and how its scenarios were fitted, then each path's knobs and error."""
    split = ("the first rate's points; the other rates are predicted" if data.get("split") == "rate"
             else "the even repetitions; the odd ones are predicted")
    scenario = data.get("scenario_note", "Each path's scenario is built from what the guest measured "
                                         "(memcpy, TCP rate and round trip, disk rates)")
    notes = [html.escape(
        f"Copies timed in QEMU guests ({data.get('emulation', 'TCG')}) over a veth pair shaped with tc: sizes "
        f"{', '.join(data.get('sizes', []))}, rates {', '.join(data.get('rates', []))}, median of "
        f"{data.get('repeat', '?')} repetitions. {scenario}; its knobs are fitted on {split}. "
        f"Command: {data.get('command', '?')}")]
    for name, result in data["paths"].items():
        cal = result.get("calibration", {})
        knobs = ", ".join(f"{k} = {format_value(v.get('value'))}" for k, v in cal.get("knobs", {}).items())
        error = result.get("held_out_median_abs_error_pct")
        notes.append(html.escape(
            f"{name}: fitted {knobs or '-'}; median absolute error over {result.get('held_out_points', 0)} held-out "
            f"points {'-' if error is None else f'{error:.1f} %'} (goal 25 %)."
            + (f" On a bound (the model cannot explain these points): {', '.join(cal['on_bound'])}."
               if cal.get("on_bound") else "")))
    return notes
