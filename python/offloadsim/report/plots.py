"""Plot helpers shared by the sections: colours per method, bars, scaled axes, PNG as base64."""
import base64
import io
import os

os.environ.setdefault("MPLBACKEND", "Agg")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .units import binary_unit  # noqa: E402

COLORS = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]


_METHOD_COLORS = {"host": 0, "kernel-copy": 1, "clone": 2, "auto": 3, "nfs-copy": 4, "nfs-copy-sync": 4,
                  "nfs-copy-async": 5, "xcopy": 6, "scsi-xcopy": 6, "odx": 8, "scsi-odx": 8, "nvme-copy": 9}


def method_colors(methods):
    """The same colour for a method name in every plot; unknown names take the unused colours."""
    colors = {m: COLORS[_METHOD_COLORS[m]] for m in methods if m in _METHOD_COLORS}
    free = [c for c in COLORS if c not in colors.values()] or COLORS
    for i, m in enumerate(m for m in methods if m not in colors):
        colors[m] = free[i % len(free)]
    return colors


def png_base64(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def scaled_axis(ax, maximum, kind, label):
    """Scales a bytes or B/s axis to a binary unit; returns the factor."""
    factor, unit = binary_unit(maximum or 1)
    ax.set_ylabel(f"{label} ({unit}{'/s' if kind == 'rate' else ''})")
    return factor


def grouped_bars(ax, groups, series, values, colors, log=False, fmt=None, marks=None):
    """Bars: one group per `groups` entry, one bar per series; values[(group, series)] or missing.
    A missing (or failed) value is marked 'n/a' on the axis, or with marks[(group, series)] when given (such as
    '3.60 ms per copy' for a clone, which is no rate). Value labels stand upright when the bars are narrow, so
    neighbours never overlap."""
    marks = marks or {}
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
                ax.text(x, floor if log else 0, marks.get((g, s), "n/a"), ha="center", va="bottom", fontsize=7,
                        rotation=90, color="#888")
                continue
            xs.append(x)
            ys.append(v)
        ax.bar(xs, ys, width, label=s, color=colors.get(s))
        if fmt and len(groups) * n <= 24:
            upright = len(groups) * n > 6  # about 6 labels of 7-point text fit side by side on a 8-inch axis
            for x, y in zip(xs, ys):
                ax.text(x, y, (" " if upright else "") + fmt(y), ha="center", va="bottom", fontsize=7,
                        rotation=90 if upright else 0)
            ax.margins(y=0.2 if upright else 0.08)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=0 if max((len(g) for g in groups), default=0) < 16 else 20,
                       ha="center" if max((len(g) for g in groups), default=0) < 16 else "right")
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3)


def wants_log(values):
    positive = [v for v in values if v is not None and v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) > 50


def simulated_vs_measured_axes(ax, lo, hi, band_low, band_high):
    """Log-log axes of simulated against measured seconds from lo to hi: the diagonal, and shaded the band where
    simulated is between band_low and band_high times measured."""
    ax.plot([lo, hi], [lo, hi], color="#444", lw=0.8, ls="--")
    ax.fill_between([lo, hi], [lo * band_low, hi * band_low], [lo * band_high, hi * band_high], color="#999",
                    alpha=0.15, lw=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured seconds (median)")
    ax.set_ylabel("simulated seconds")
    ax.grid(alpha=0.3)
