"""Section: one simulated scenario (results.json of `offload sim`)."""
import html

from .inputs import require
from .plots import grouped_bars, method_colors, plt, scaled_axis, wants_log
from .section import Section
from .sim_faults import FAULT_COUNTS, copy_rows, fault_parts
from .units import (RATE_MIN_SECONDS, format_bytes, format_copy_speed, format_duration, format_joules, format_number,
                    format_percent, format_ratio, format_tick, format_value, numeric_axis)


def _label_point(point, keys):
    if len(keys) == 1:
        return str(point.get(keys[0], "-"))
    return ", ".join(f"{k}={point.get(k, '-')}" for k in keys) if keys else "(one point)"


def sim_sections(path, records):
    """One section per scenario in a results.json."""
    require(path, "sim", records, ("method", "summary"), "run record")
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
        for k in FAULT_COUNTS:  # sums over the run's copies; integers in the JSON's float form
            row[k] = int(s[k]) if isinstance(s.get(k), (int, float)) else None
        b = r.get("bottleneck") or {}
        row["bound"] = b.get("bound")
        row["link_busy"] = (b.get("utilisation") or {}).get("link")
        row["busiest"] = (b.get("busiest") or {}).get(row["bound"]) if row["bound"] else None
        # How busy the bounding resource was (for round trips: their share of the time).
        row["bound_busy"] = ((b.get("shares") if row["bound"] == "round_trips" else b.get("utilisation")) or {}).get(
            row["bound"]) if row["bound"] else None
        for k in _SHARES:
            row[f"share_{k}"] = (b.get("shares") or {}).get(k)
        e = r.get("energy") or {}
        row["energy_interval_s"] = e.get("interval_s")
        for k in ENERGY_PARTS:
            row[f"{k}_J"] = e.get(f"{k}_J")
            row[f"{k}_J_per_GiB"] = e.get(f"{k}_J_per_GiB")
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


#: The parts of the path a run's energy is split into (results.json "energy", sim/energy.hpp).
ENERGY_PARTS = ("total", "client", "server", "network")

#: The classes a run's time is attributed to (results.json "bottleneck", sim/bottleneck.hpp).
_SHARES = ("link", "disk", "cpu", "round_trips")
_SHARE_COLORS = {"link": "#4c72b0", "disk": "#dd8452", "cpu": "#c44e52", "round_trips": "#8c8c8c"}


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
    for c in copy_rows(runs):  # a run's speed-up is its slowest copy's: keep its fastest copy's too
        if c["speedup_vs_host"]:
            rows[c["run"]]["best_copy_speedup"] = max(rows[c["run"]].get("best_copy_speedup") or 0, c["speedup_vs_host"])
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

    def fixed_cost(r, field):
        """A clone's 'rate' is no rate: its time per copy is shown instead (units.RATE_MIN_SECONDS)."""
        return (field == "throughput_Bps" and r["done"] == r["copies"] and r["mean_latency_s"] is not None
                and 0 < r["mean_latency_s"] < RATE_MIN_SECONDS)

    def plot_metric(ax, field, label, kind):
        vals = [r[field] for r in rows if r[field] is not None and not fixed_cost(r, field)]
        maximum = max(vals, default=0)
        if kind in ("rate", "bytes"):
            factor = scaled_axis(ax, maximum, kind, label)
        else:
            factor = 1
            ax.set_ylabel(label)
        if curve:
            k, xs, unit = curve
            for i, m in enumerate(methods):  # shrinking markers keep lines that coincide visible
                pts = sorted((xs[r[k]], r[field] / factor) for r in rows
                             if r["method"] == m and r[field] is not None and not fixed_cost(r, field))
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="osD^vP"[i % 6], label=m, color=colors[m],
                        markersize=max(3.0, 8 - 1.3 * i), linewidth=max(1.0, 2.2 - 0.3 * i))
            xv = list(xs.values())
            if min(xv) > 0 and max(xv) / min(xv) >= 20:
                ax.set_xscale("log")
            ax.set_xticks(sorted(set(xv)))
            ax.set_xticklabels([format_tick(x) for x in sorted(set(xv))])
            if ax.get_xscale() == "log":
                ax.minorticks_off()
            ax.set_xlabel(f"{k} ({unit})" if unit else k)
            ax.grid(alpha=0.3)
            if kind == "rate" and wants_log(vals):
                ax.set_yscale("log")
        else:
            vv = {(r["point"], r["method"]): (r[field] / factor if r[field] is not None and not fixed_cost(r, field)
                                              else None) for r in rows}
            marks = {(r["point"], r["method"]): format_duration(r["mean_latency_s"]) + " per copy"
                     for r in rows if fixed_cost(r, field)}
            grouped_bars(ax, points, methods, vv, colors, log=kind == "rate" and wants_log(vals),
                         fmt=format_duration if kind == "seconds" else format_number, marks=marks)
            ax.set_xlabel(", ".join(keys) if keys else "")

    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    plot_metric(ax, "throughput_Bps", "throughput", "rate")
    ax.set_title(f"{name}: throughput, host vs offload")
    ax.legend(title="method", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    sec.figure(fig, f"{name} throughput per method",
               "Aggregate throughput of each method" + (" against the swept parameter." if curve else " at each point.")
               + " Copies that took under 10 ms (clones) have no rate: their time per copy is written instead"
               + (" (left out of the curves)." if curve else "."))

    has_net = any(r["shared_links"] for r in rows)
    has_cpu = any((r["client_cpu_s"] or 0) > 0 for r in rows)
    panels = [p for p in (("shared_link_bytes", "bytes on shared links", "bytes") if has_net else None,
                          ("client_cpu_s", "client CPU busy (s)", "seconds") if has_cpu or not has_net else None) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(8.5 if len(panels) == 1 else 11, 4.0), squeeze=False)
    for ax, (field, label, kind) in zip(axes[0], panels):
        plot_metric(ax, field, label, kind)
        ax.set_title(label.split(" (")[0])
        ax.set_ylim(bottom=0)
    axes[0][-1].legend(title="method", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(f"{name}: what offloading saves (lower is better)")
    fig.tight_layout()
    sec.figure(fig, f"{name} network bytes and client CPU per method",
               ("Bytes that crossed the shared links and " if has_net else "")
               + "CPU seconds the client hosts spent: offloaded methods move the data elsewhere.")
    if not has_net:
        sec.notes.append("No shared network links in this scenario: only client CPU is shown.")
    _bottleneck_figure(sec, name, rows, points, methods)
    one = len(keys) == 1
    head = [keys[0] if one else "point", "method", "copies done", "makespan", "throughput", "speedup vs host", "shared net",
            "net saved", "net use", "client CPU", "CPU saved", "client CPU per GiB", "server CPU per GiB",
            "bound (share of time)"]
    faulty = any(r[k] for r in rows for k in FAULT_COUNTS)
    if faulty:
        head += [k.replace("_", " ") for k in FAULT_COUNTS]
    table = []
    for p in points:
        for m in methods:
            r = value.get((p, m))
            if r is None:
                continue
            done = f"{r['done']}/{r['copies']}" + (f" ({r['failed']} failed)" if r.get("failed") else "")
            table.append([r[keys[0]] if one else p, m, done, format_duration(r["makespan_s"]),
                          format_copy_speed(r["throughput_Bps"], r["mean_latency_s"]),
                          format_ratio(r["speedup_vs_host"]), format_bytes(r["shared_link_bytes"]) if has_net else "-",
                          format_bytes(r["net_bytes_saved"]) if has_net and r["net_bytes_saved"] is not None else "-",
                          format_percent(r["link_busy"]) if has_net else "-", format_duration(r["client_cpu_s"]),
                          format_duration(r["cpu_s_saved"]), format_duration(r["client_cpu_s_per_GiB"]),
                          format_duration(r["server_cpu_s_per_GiB"]), fmt_share(r)]
                         + ([format_value(r[k]) for k in FAULT_COUNTS] if faulty else []))
    sec.tables.append(("Runs (saved = host's value minus this method's, at the same point; net use = the busiest link "
                       "direction's bytes over what it can carry in the makespan)", head, table))
    _energy_table(sec, keys, rows, points, methods, value)
    fault_parts(sec, name, runs)
    return sec


def _energy_table(sec, keys, rows, points, methods, value):
    """Joules per run and per GiB, split into client, server/array and network."""
    if not any(r["total_J"] is not None for r in rows):
        return
    one = len(keys) == 1
    head = [keys[0] if one else "point", "method", "charged interval", "energy", "per GiB", "client per GiB",
            "server/array per GiB", "network per GiB"]
    table = []
    for p in points:
        for m in methods:
            r = value.get((p, m))
            if r is None or r["total_J"] is None:
                continue
            table.append([r[keys[0]] if one else p, m, format_duration(r["energy_interval_s"]), format_joules(r["total_J"])]
                         + [format_joules(r[f"{k}_J_per_GiB"]) for k in ENERGY_PARTS])
    sec.tables.append(("Energy (hosts and disks: SimGrid's host energy model over their busy cores; links: SimGrid's link energy model over "
                       "the bytes they carried). Charged interval: from the workload's first submit to the end of the "
                       "last copy, the makespan when every copy completes; every host, disk and link of the scenario is "
                       "charged over it, idle or busy (power profiles: the scenario's [energy] table). Per GiB: of the "
                       "bytes the workload asked to copy.", head, table))
