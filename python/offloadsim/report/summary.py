"""The page's first section: offload or not, and how much. For each real filesystem and each simulated scenario
(each sweep point), the best method, its gain over host (time, client CPU, network bytes) and one line saying
what bounded it (the simulation's bottleneck attribution, sim/bottleneck.hpp; on real files, the path the bytes
took)."""
from .section import Section
from .units import data_path, format_bytes, format_duration, format_ratio, numeric_axis

#: A method within this factor of host's time is "as fast": then the least client CPU decides.
_SAME_TIME = 1.02



def _best(candidates, time, cpu):
    """The fastest candidate, or when none beats host by _SAME_TIME, the one with the least CPU among those as fast."""
    fastest = max(candidates, key=time)
    if time(fastest) >= _SAME_TIME:
        return fastest
    same = [c for c in candidates if time(c) >= 1 / _SAME_TIME]
    return min(same, key=cpu) if same else fastest


def _change(before, after, fmt):
    return "-" if before is None or after is None else f"{fmt(before)} → {fmt(after)}"


def _bound_text(r):
    bound = r.get("bound")
    if not bound:
        return f"{r['method']}: no attribution"
    busy = r.get("bound_busy")
    where = f" {r['busiest']}" if r.get("busiest") else ""
    what = "round trips" if bound == "round_trips" else bound
    return f"{r['method']} bound by {what}{where}" + (f" ({100 * busy:.0f}% busy)" if busy is not None else "")


_COUNT_NAMES = {"retries": "retries", "redrives": "redrives", "callbacks_lost": "lost callbacks",
                "fallbacks": "fallback ranges"}


def _fault_text(host, best):
    """'; faults: 4 applied; auto: 8 retries, ...; its fastest copy 2.82x host's' when the run had faults."""
    counts = [(k, best.get(k)) for k in ("retries", "redrives", "callbacks_lost", "fallbacks") if best.get(k)]
    if not (best.get("faults_applied") or counts):
        return ""
    text = f"; faults: {best.get('faults_applied') or 0} applied"
    if counts:
        text += f"; {best['method']}: " + ", ".join(f"{v} {_COUNT_NAMES[k]}" for k, v in counts)
    fastest = best.get("best_copy_speedup")
    if fastest and fastest > _SAME_TIME * (best["speedup_vs_host"] or 0):
        text += f"; its fastest copy {format_ratio(fastest)} host's (see the per-copy table)"
    return text


def _sim_lines(name, keys, rows):
    points = list(dict.fromkeys(r["point"] for r in rows))
    if len(keys) == 1:
        axis = numeric_axis(points)
        if axis:
            order = dict(zip(points, axis[0]))
            points.sort(key=order.get)
    lines = []
    for p in points:
        here = [r for r in rows if r["point"] == p]
        host = next((r for r in here if r["method"] == "host"), None)
        others = [r for r in here if r["method"] != "host" and r["speedup_vs_host"]]
        label = f"sim {name}" + ("" if p == "(one point)" else f" ({keys[0]}={p})" if len(keys) == 1 else f" ({p})")
        if host is None or not others:
            lines.append({"source": label, "kind": "sim", "best": "host" if host else "-", "speedup_vs_host": None,
                          "time": "-", "client_cpu": "-", "network": "-", "others": "-",
                          "why": "no method finished every copy besides host" if host else "no host run to compare"})
            continue
        best = _best(others, lambda r: r["speedup_vs_host"], lambda r: r["client_cpu_s"])
        has_net = bool(host.get("shared_links"))
        lines.append({
            "source": label, "kind": "sim", "best": best["method"], "speedup_vs_host": best["speedup_vs_host"],
            "time": _change(host["makespan_s"], best["makespan_s"], format_duration),
            "client_cpu": _change(host["client_cpu_s"], best["client_cpu_s"], format_duration),
            "network": _change(host["shared_link_bytes"], best["shared_link_bytes"], format_bytes) if has_net else "-",
            "others": ", ".join(f"{r['method']} {format_ratio(r['speedup_vs_host'])}" for r in others if r is not best)
                      or "-",
            "why": f"{_bound_text(host)}; {_bound_text(best)}" + _fault_text(host, best)})
    return lines


def _real_lines(label, rows):
    """rows: [{fs, method, outcome, median_seconds, cpu_seconds, methods_used, speedup_vs_host}] of one source."""
    lines = []
    for fs in dict.fromkeys(r["fs"] for r in rows):
        here = [r for r in rows if r["fs"] == fs]
        host = next((r for r in here if r["method"] == "host" and r["outcome"] == "ok"), None)
        others = [r for r in here if r["method"] != "host" and r["outcome"] == "ok" and r.get("speedup_vs_host")]
        failed = [r["outcome"] if r["outcome"].startswith(r["method"]) else f"{r['method']}: {r['outcome']}"
                  for r in here if r["outcome"] != "ok"]
        source = f"real {fs} ({label})"
        if host is None or not others:
            lines.append({"source": source, "kind": "real", "best": "host" if host else "-", "speedup_vs_host": None,
                          "time": "-", "client_cpu": "-", "network": "-", "others": "-",
                          "why": "no offload method copied here" + (f" ({'; '.join(failed)})" if failed else "")})
            continue
        best = _best(others, lambda r: r["speedup_vs_host"], lambda r: r.get("cpu_seconds") or 0)
        used = (best.get("methods_used") or best["method"]).split("+")
        lines.append({
            "source": source, "kind": "real", "best": best["method"], "speedup_vs_host": best["speedup_vs_host"],
            "time": _change(host["median_seconds"], best["median_seconds"], format_duration),
            "client_cpu": _change(host.get("cpu_seconds"), best.get("cpu_seconds"), format_duration),
            "network": "-",
            "others": ", ".join(f"{r['method']} {format_ratio(r['speedup_vs_host'])}" for r in others if r is not best)
                      or "-",
            "why": f"{best['method']} ran as {'+'.join(used)}: bytes {data_path('+'.join(used), fs)}"})
    return lines


def summary_section(sims, reals):
    """sims: [(scenario, point keys, rows of sim.sim_rows)]; reals: [(source label, rows as in compare.py)]."""
    lines = []
    for label, rows in reals:
        lines += _real_lines(label, rows)
    for name, keys, rows in sims:
        lines += _sim_lines(name, keys, rows)
    if not lines:
        return None
    sec = Section("Summary: offload or not, and how much", "all inputs", "summary")
    sec.anchor = "summary"
    sec.data["summary"] = lines
    sec.notes.append("Per real filesystem and per simulated scenario (and sweep point): the best method (the fastest; "
                     "when none beats host by 2 %, the one with the least client CPU), its gain over host, and what "
                     "bounded the run (the resource busiest for the longest share of the time). Real copies are on "
                     "this machine (time: per copy, median); simulations are the scenario's machine (time: the makespan). "
                     "-: not applicable.")
    sec.tables.append(("Best method per filesystem and scenario",
                       ["where", "best method", "speed-up over host", "time (host → best)", "client CPU (host → best)",
                        "network bytes (host → best)", "other methods vs host", "why"],
                       [[x["source"], x["best"], format_ratio(x["speedup_vs_host"]), x["time"], x["client_cpu"],
                         x["network"], x["others"], x["why"]] for x in lines]))
    return sec
