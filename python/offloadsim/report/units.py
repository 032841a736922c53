"""Units of scenario values and the one way the report prints numbers."""
import math
import re

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



def fmt_percent(x):
    """0.93 -> '93%', 0.0061 -> '0.61%'."""
    if x is None:
        return "-"
    return f"{100 * x:.0f}%" if x >= 0.1 else f"{100 * x:.2g}%"
