"""Part of a simulation's section: the faults applied and what happened to each copy (retries, redrives, lost
callbacks, fallbacks), as a timeline and an event table. A run's makespan is its slowest copy, so "auto 1.00x"
can hide a copy that went three times as fast as host's: the per-copy table shows it."""
import html

from .plots import method_colors, plt
from .units import format_duration, format_bytes, format_ratio, format_value

#: The recovery counts of a run (results.json "summary"; per copy in "copies").
FAULT_COUNTS = ("faults_applied", "retries", "redrives", "callbacks_lost", "fallbacks")

#: Beyond this many copies the timeline is unreadable; the table keeps them all.
_TIMELINE_MAX_COPIES = 40


def _point_text(point):
    return ", ".join(f"{k}={v}" for k, v in point.items()) or "-"


def _copy_key(run, c):
    return (_point_text(run.get("point", {})), c.get("copy"), c.get("index"))


def _fallback_text(f):
    text = (f"{f.get('from')} -> {f.get('to')}: {format_bytes(f.get('bytes'))} in {f.get('ranges')} range(s) "
            f"({f.get('errno')})")
    return text + (f", {f['detail']}" if f.get("detail") else "")


def _eventful(runs):
    return any(r.get("faults") for r in runs) or any(
        c.get(k) for r in runs for c in r.get("copies", []) for k in ("retries", "redrives", "callbacks_lost", "fallbacks"))


def copy_rows(runs):
    """One dict per copy of every run (run: its index in runs), with host's time for the same copy at the same
    point."""
    host_time = {_copy_key(r, c): c.get("latency_s") for r in runs if r.get("method") == "host"
                 for c in r.get("copies", []) if c.get("state") == "done"}
    rows = []
    for i, r in enumerate(runs):
        for c in r.get("copies", []):
            latency = c.get("latency_s") if c.get("state") == "done" else None
            host = host_time.get(_copy_key(r, c))
            rows.append({"run": i, "point": _point_text(r.get("point", {})), "method": r.get("method"), "copy": c.get("copy"),
                         "index": c.get("index"), "host": c.get("host"), "from": c.get("from"), "to": c.get("to"),
                         "state": c.get("state"), "start_s": c.get("start_s"), "end_s": c.get("end_s"),
                         "latency_s": latency, "methods_used": c.get("methods_used"),
                         "speedup_vs_host": host / latency if host and latency else None,
                         "retries": int(c.get("retries") or 0), "redrives": int(c.get("redrives") or 0),
                         "callbacks_lost": int(c.get("callbacks_lost") or 0),
                         "fallbacks": "; ".join(_fallback_text(f) for f in c.get("fallbacks", []))})
    return rows


def _timeline(sec, name, runs, rows):
    fig, ax = plt.subplots(figsize=(9, max(2.4, 0.32 * len(rows) + 1.4)))
    colors = method_colors(list(dict.fromkeys(r["method"] for r in rows)))
    labels = []
    for y, r in enumerate(rows):
        labels.append(f"{r['method']} #{r['copy']}.{r['index']} {r['host']}")
        if r["start_s"] is not None and r["end_s"] is not None:
            ax.barh(y, r["end_s"] - r["start_s"], left=r["start_s"], color=colors[r["method"]], height=0.6)
            ax.text(r["end_s"], y, " " + format_duration(r["end_s"] - r["start_s"])
                    + ("" if r["state"] == "done" else f" ({r['state']})"), va="center", fontsize=7)
    faults = {(f.get("kind"), f.get("target"), f.get("applied_s"), f.get("restored_s"))
              for r in runs for f in r.get("faults", []) if f.get("applied_s") is not None}
    for i, (kind, target, at, until) in enumerate(sorted(faults, key=lambda f: f[2])):
        if until is not None:
            ax.axvspan(at, until, color="#c44e52", alpha=0.12, lw=0)
        ax.axvline(at, color="#c44e52", lw=0.8, ls="--")
        ax.text(at, -0.9 - 0.55 * (i % 3), f" {kind} ({target})", fontsize=7, color="#c44e52", va="center")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.4, -2.6)
    ax.set_xlabel("simulated time (s)")
    ax.grid(axis="x", alpha=0.3)
    sec.figure(fig, f"{name}: each copy's time and the faults",
               "One bar per copy, from its start to its end; dashed lines: faults applied (shaded until restored).")


def fault_parts(sec, name, runs):
    """Adds the faults and per-copy tables (and a timeline) to a simulation's section when anything happened."""
    if not _eventful(runs):
        return
    applied = [{"point": _point_text(r.get("point", {})), "method": r.get("method"), "kind": f.get("kind"),
                "target": f.get("target"), "at_s": f.get("at_s"), "applied_s": f.get("applied_s"),
                "restored_s": f.get("restored_s"), "count": f.get("count")} for r in runs for f in r.get("faults", [])]
    fields = ("kind", "target", "at_s", "applied_s", "restored_s", "count")
    same = len({tuple(tuple(f.get(k) for k in fields) for f in r.get("faults", [])) for r in runs}) == 1
    rows = copy_rows(runs)
    sec.data[f"sim-{name}-copies"] = rows
    if applied:
        sec.data[f"sim-{name}-faults"] = applied
        kinds = ", ".join(dict.fromkeys(f"{f['kind']} on {f['target']}" for f in applied))
        sec.notes.append(html.escape(f"Faults: {kinds}. Each copy's retries, redrives, lost callbacks and fallbacks "
                                     "are in the table below; a run's speed-up is its slowest copy's."))
        sec.tables.append(("Faults applied" + (" (the same in every run)" if same else "") + " (not applied: due after the last copy ended)",
                           (["method"] if not same else []) + ["kind", "target", "due", "applied", "restored", "count"],
                           [([f["method"]] if not same else []) + [f["kind"], f["target"], format_duration(f["at_s"]),
                             format_duration(f["applied_s"]) if f["applied_s"] is not None else "not applied",
                             format_duration(f["restored_s"]), format_value(f["count"])]
                            for f in (applied[:len(runs[0].get("faults", []))] if same else applied)]))
    if len(rows) <= _TIMELINE_MAX_COPIES:
        _timeline(sec, name, runs, rows)
    multi = len({r["point"] for r in rows}) > 1
    head = (["point"] if multi else []) + ["method", "copy", "host", "from -> to", "state", "start", "time",
                                           "vs host (same copy)", "via", "retries", "redrives", "lost callbacks",
                                           "fallbacks"]
    sec.tables.append(("What happened to each copy", head, [
        ([r["point"]] if multi else []) + [
            r["method"], f"#{r['copy']}.{r['index']}", r["host"], f"{r['from']} -> {r['to']}", r["state"],
            format_duration(r["start_s"]), format_duration(r["latency_s"]), format_ratio(r["speedup_vs_host"]),
            r["methods_used"] or "-", str(r["retries"]), str(r["redrives"]), str(r["callbacks_lost"]),
            r["fallbacks"] or "-"] for r in rows]))
