"""Units of scenario values and the one way the report prints numbers."""
import math
import re

from .._offloadsim import unit_scales

_BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]

#: Unit suffixes of scenario values -> (factor to the base unit, base unit): the C++ parsers' table
#: (engine/units.hpp unit_scales), with bit rates ("10Gbps") kept in bit/s (results columns KEY_bit_per_s).
UNITS = {suffix: (scale * 8, "bit/s") if suffix.endswith("bps") else (scale, base)
         for suffix, scale, base in unit_scales() if suffix}
_VALUE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*$")


def parse_value(text):
    """'10Gbps' -> (10.0, 'Gbps'); '8' -> (8.0, ''); anything else (true, names) -> None."""
    m = _VALUE.match(str(text))
    if not m or (m.group(2) and m.group(2) not in UNITS):
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
    if "" in suffixes or len({UNITS[s][1] for s in suffixes}) != 1:
        return None
    base = [p[0] * UNITS[p[1]][0] for p in parsed]
    unit = parsed[max(range(len(base)), key=base.__getitem__)][1]
    return [b / UNITS[unit][0] for b in base], unit


def binary_unit(maximum):
    """(factor, name) of the binary unit that suits `maximum` bytes."""
    i = 0
    while i + 1 < len(_BINARY) and maximum >= 1024 ** (i + 1):
        i += 1
    return 1024**i, _BINARY[i]


# The one rule for printing numbers, mirrored from engine/units_format.cpp (the CLI's) and checked against it by
# python/tests/test_units.py: three significant digits, never scientific notation, the unit chosen per value
# (binary units for bytes and rates, ns/us/ms/s for times). None or NaN (not applicable) prints "-".

#: Below this a copy's time is its fixed cost (reflink, remap, system call), not bytes over time (engine/units.hpp
#: kRateMinSeconds): 10 ms.
RATE_MIN_SECONDS = 0.01

_BINARY_UNITS = [(1024.0**i, name) for i, name in enumerate(_BINARY)]
_TIME_UNITS = [(1e-9, "ns"), (1e-6, "us"), (1e-3, "ms"), (1.0, "s")]
_ENERGY_UNITS = [(1e-3, "mJ"), (1.0, "J"), (1e3, "kJ"), (1e6, "MJ")]


def _absent(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def _significant(value, digits):
    """`digits` significant digits of a finite value >= 0 in fixed notation (9.996 -> '10.0')."""
    if value == 0:
        return "0"
    exponent = int(f"{value:.{digits - 1}e}".split("e")[1])
    return f"{value:.{max(0, digits - 1 - exponent)}f}"


def _with_sign(value, magnitude):
    return "-" + magnitude if value < 0 and magnitude != "0" else magnitude


def _in_unit(value, units, digits, separator):
    magnitude = abs(value)
    index = 0
    for i in range(1, len(units)):
        if float(_significant(magnitude / units[i][0], digits)) >= 1:
            index = i
    return _with_sign(value, _significant(magnitude / units[index][0], digits) + separator + units[index][1])


def format_number(x):
    """A plain number, three significant digits, never scientific: '0.00471', '12.3', '2036', '0'."""
    return "-" if _absent(x) else _with_sign(x, _significant(abs(x), 3))


def format_bytes(n):
    """'17 B', '1.50 KiB', '4.25 GiB', '1018 MiB' (a value that rounds to 1024 takes the next unit)."""
    if _absent(n):
        return "-"
    return f"{n:.0f} B" if abs(n) < 1023.5 else _in_unit(n, _BINARY_UNITS, 3, " ")


def format_rate(bps):
    """'4.25 GiB/s'."""
    return "-" if _absent(bps) else format_bytes(bps) + "/s"


def format_duration(seconds):
    """'812 ns', '4.50 us', '3.20 ms', '40.2 s'."""
    if _absent(seconds):
        return "-"
    return "0 s" if seconds == 0 else _in_unit(seconds, _TIME_UNITS, 3, " ")


def format_joules(joules):
    """'812 mJ', '4.50 J', '3.20 kJ'."""
    if _absent(joules):
        return "-"
    return "0 J" if joules == 0 else _in_unit(joules, _ENERGY_UNITS, 3, " ")


def format_ratio(x):
    """'1.00x', '12.5x'; '2035x' from 100 up."""
    if _absent(x):
        return "-"
    return f"{x:.2f}x" if abs(x) < 99.5 else f"{x:.0f}x"


def format_percent(x):
    """0.93 -> '93%', 0.0061 -> '0.610%'."""
    if _absent(x):
        return "-"
    return f"{100 * x:.0f}%" if abs(100 * x) >= 9.995 else format_number(100 * x) + "%"


def format_copy_speed(bps, seconds_per_copy):
    """The rate, or the time per copy ('3.60 ms per copy') for copies under RATE_MIN_SECONDS (clones)."""
    if seconds_per_copy is not None and 0 < seconds_per_copy < RATE_MIN_SECONDS:
        return format_duration(seconds_per_copy) + " per copy"
    return format_rate(bps)


def _without_trailing_zeros(text):
    number = text.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    unit = text[len(number):]
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number + unit


def toml_rate(bps):
    """A rate for a scenario file: '4.25123GiBps'."""
    return _without_trailing_zeros(_in_unit(bps, _BINARY_UNITS, 6, "")) + "ps"


def toml_duration(seconds):
    """A duration for a scenario file: '12.5us'."""
    return "0s" if seconds == 0 else _without_trailing_zeros(_in_unit(seconds, _TIME_UNITS, 6, ""))


def format_value(x):
    """A table cell: ints as they are, booleans yes/no, floats by format_number, None '-'."""
    if _absent(x):
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return format_number(x)
    return str(x)


def format_tick(x):
    """An axis tick for a swept value as written: 0.1, 1, 12.8, 100 (no exponent, no padding zeros)."""
    text = f"{x:f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


#: Where a method's bytes go on the host (engine/types.hpp Method): through user-space buffers (read + write),
#: through the host's memory only (copy_file_range copied by the kernel, page cache to page cache), or not through
#: the host at all (extents shared, or copied by the NFS server or the storage array).
DATA_PATH = {
    "host": "through user space and host memory (read + write)",
    "kernel-copy": "through host memory only (copied in the kernel)",
    "clone": "not through the host (extents shared)",
    "scsi-xcopy": "not through the host (the array copies)",
    "scsi-odx": "not through the host (the array copies)",
}

#: copy_file_range on NFS 4.2 is a server-side COPY (RFC 7862 section 15.2): the kernel-copy bytes stay on the server.
_NFS_KERNEL_COPY = "not through the host (the NFS server copies)"


def data_path(methods_used, fs=""):
    """'host memory only (copied in the kernel)' for 'kernel-copy' on a local filesystem; methods joined by ' + '."""
    used = [m for m in (methods_used or "").split("+") if m]
    nfs = (fs or "").startswith("nfs")
    return " + ".join(_NFS_KERNEL_COPY if nfs and m == "kernel-copy" else DATA_PATH.get(m, m) for m in used) or "-"
