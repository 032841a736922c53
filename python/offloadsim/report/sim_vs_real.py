"""Section: speedup over host, each simulated point next to each real filesystem."""
from .plots import COLORS, grouped_bars, plt, wants_log
from .section import Section
from .units import format_ratio


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
    colors = {s: COLORS[i % len(COLORS)] for i, s in enumerate(sources)}
    fig, ax = plt.subplots(figsize=(9, 4.2))
    grouped_bars(ax, methods, sources, values, colors, log=wants_log(values.values()), fmt=format_ratio)
    ax.axhline(1, color="#444", lw=0.8, ls="--")
    ax.set_ylabel("speedup over host (x)")
    ax.set_xlabel("method")
    ax.set_title("speedup over host: simulated vs measured")
    ax.legend(fontsize=7, ncol=1 if len(sources) < 6 else 2, loc="upper left", bbox_to_anchor=(1.01, 1))
    sec.figure(fig, "simulated vs measured speedup over host", "Bars above the dashed line: faster than host.")
    sec.tables.append(("Speedup over host", ["method", "source", "speedup"],
                       [[r["method"], r["source"], format_ratio(r["speedup_vs_host"])] for r in sec.data["sim-vs-real"]]))
    return sec
