"""One self-contained HTML page from offload results, plus the numbers as CSV/JSON.

    python3 -m offloadsim.report --out DIR INPUT...

Each INPUT is one of (the kind is read from the content, not the name):

- a simulation: a directory holding results.json, or the results.json of
  `offload sim` (a JSON array of run records);
- a comparison on real files: the JSON of `offload compare --report`
  (`{"kind": "offload-compare", "rows": [...]}`);
- a calibration: validation.json of `offload calibrate` (kind "offload-calibration"):
  "Sim vs real (calibrated)", predicted and measured throughput with the error;
- a Google Benchmark JSON (`--benchmark_out_format=json`: context + benchmarks);
- a directory without results.json (such as reports/): every */results.json,
  every */validation.json and every recognised *.json directly in it.

Writes DIR/index.html (plots embedded as base64 PNG, CSS inline, no external
URLs): first the summary (summary.py: the best method per real filesystem and
per scenario, its gain over host and what bounded it), then the sections, most
important first (build.py), the inputs last; DIR/data/*.csv (one table per
section) and DIR/data/summary.json (every table, the inputs and the number of
plots). Numbers follow units.py, the CLI's rule (engine/units.hpp). A missing or unreadable input is an
error naming the file (exit code 1).
"""
# Light imports only: offloadsim.results reads units from here without loading matplotlib; build_report (and the
# plotting it needs) is imported on first use.
from .inputs import ReportError, detect_kind, load_input
from .units import (format_bytes, format_copy_speed, format_duration, format_number, format_percent, format_rate,
                    format_ratio, numeric_axis, parse_value)

__all__ = ["build_report", "main", "ReportError", "detect_kind", "load_input", "format_bytes", "format_copy_speed",
           "format_duration", "format_number", "format_percent", "format_rate", "format_ratio", "numeric_axis",
           "parse_value"]


def __getattr__(name):
    if name == "build_report":
        from .build import build_report
        return build_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv=None):
    """`offload report`'s command line (see __main__)."""
    from .__main__ import main as run
    return run(argv)
