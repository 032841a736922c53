"""One rule for printing numbers (issue 20 item 3): the report's Python (offloadsim.report.units) and the CLI's C++
(engine/units.hpp, bound as offloadsim._offloadsim.units) give the same strings for the same values, and neither
ever prints scientific notation."""
import random
import re

import pytest

from offloadsim import _offloadsim
from offloadsim.report import units

cxx = _offloadsim.units


def values():
    """Edges (rounding to the next digit or unit, zero, negatives) and a log-uniform spread from 1e-10 to 1e16."""
    edges = [0.0, 1.0, -1.0, 9.995, 9.996, 99.95, 999.5, 1023.4, 1023.5, 1023.9, 1024.0, 1048575.0, 4.49e-06,
             0.00415, 0.9996, 0.99949, 1e-9, 2.5e-10, 4.25 * 2**30, 1018 * 2**20, 2035.8, 99.49, 99.5, -2 * 2**30,
             123456789.0, 0.0042, 0.095, 0.09995, 1e15]
    rng = random.Random(20)
    return edges + [10 ** rng.uniform(-10, 16) for _ in range(400)]


@pytest.mark.parametrize("name", ["format_number", "format_bytes", "format_rate", "format_duration", "format_ratio",
                                  "format_percent"])
def test_python_and_cxx_print_the_same(name):
    python, native = getattr(units, name), getattr(cxx, name)
    mismatches = [(v, python(v), native(v)) for v in values() if python(v) != native(v)]
    assert not mismatches, mismatches[:10]


def test_python_and_cxx_agree_on_copy_speed_and_toml():
    for v in values():
        for seconds in (0.0036, 0.0099, 0.01, 8.9):
            assert units.format_copy_speed(v, seconds) == cxx.format_copy_speed(v, seconds)
        if v > 0:
            assert units.toml_rate(v) == cxx.toml_rate(v)
            assert units.toml_duration(v) == cxx.toml_duration(v)


def test_no_scientific_notation_and_a_unit_per_value():
    for v in values():
        for name in ("format_number", "format_bytes", "format_rate", "format_duration", "format_percent"):
            text = getattr(units, name)(v)
            assert not re.search(r"\d[eE][-+]?\d", text), (name, v, text)
    assert units.format_rate(4.25 * 2**30) == "4.25 GiB/s"          # not 0.00415 TiB/s
    assert units.format_rate(1018 * 2**20) == "1018 MiB/s"          # not 1.02e+03 MiB/s
    assert units.format_duration(2036e-6) == "2.04 ms"              # not 2e+03 us
    assert units.format_copy_speed(8 * 2**30 / 0.0044, 0.0044) == "4.40 ms per copy"  # a clone is not 2 TiB/s
    assert units.format_rate(None) == units.format_duration(float("nan")) == "-"
