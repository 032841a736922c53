"""Results of a scenario run (the records of results.json) as pandas DataFrames."""
import json
from pathlib import Path

import pandas as pd

from .report.units import UNITS, parse_value

_COPY_FIRST = ["host", "copy", "index", "size_bytes", "state", "start_s", "end_s", "latency_s", "throughput_Bps",
               "methods_used", "bytes_done"]
_SUMMARY = ["copies", "done", "cancelled", "failed", "bytes", "makespan_s", "mean_latency_s", "aggregate_throughput_Bps"]

#: A swept value's unit family (report/units.py UNITS) -> the suffix of its column, as in makespan_s, size_bytes.
_SUFFIX = {"bit/s": "bit_per_s", "B/s": "Bps", "B": "bytes", "s": "s"}

#: Units of the columns of runs, copies and links (suffix rule: _s seconds, _Bps bytes per second, _bytes bytes).
_UNIT_OF = {"sim_time_s": "s", "bytes": "B", "makespan_s": "s", "mean_latency_s": "s", "aggregate_throughput_Bps": "B/s",
            "shared_link_bytes": "B", "client_cpu_s": "s", "size_bytes": "B", "start_s": "s", "end_s": "s",
            "latency_s": "s", "throughput_Bps": "B/s", "bytes_done": "B", "baseline_s": "s", "energy_interval_s": "s",
            **{f"{part}_J": "J" for part in ("total", "client", "server", "network")}, "total_J_per_GiB": "J/GiB"}


def point_column(key, values):
    """How a swept parameter comes back: (column name, unit, value -> cell). Values with one unit family become
    numbers in its base unit, the unit in the column name ('1Gbps', '10Gbps' -> link.lan.bandwidth_bit_per_s =
    1e9, 1e10); 'true'/'false' become booleans; bare numbers numbers; anything else stays text."""
    texts = [str(v) for v in values]
    if texts and all(v in ("true", "false") for v in texts):
        return key, "", lambda v: str(v) == "true"
    parsed = [parse_value(v) for v in texts]
    if not parsed or any(p is None for p in parsed):
        return key, "", lambda v: v
    families = {UNITS[p[1]][1] if p[1] else "" for p in parsed}
    if families == {""}:
        whole = all(p[0] == int(p[0]) for p in parsed)
        return key, "", lambda v: int(parse_value(v)[0]) if whole else parse_value(v)[0]
    if len(families) != 1 or "" in families:
        return key, "", lambda v: v
    base = families.pop()

    def convert(v):
        number, unit = parse_value(v)
        return number * UNITS[unit][0]
    return f"{key}_{_SUFFIX[base]}", base, convert


class Results:
    """Run records of `offload sim`: one per sweep point x method."""

    def __init__(self, records, out_dir=None):
        self.records = records   #: the raw run records (list of dicts, as in results.json)
        self.out_dir = out_dir   #: where results.json etc. were kept, or None

    @classmethod
    def from_json(cls, path):
        """Results from a results.json file written by `offload sim --out DIR`."""
        with open(path) as f:
            return cls(json.load(f), Path(path).parent)

    @property
    def point_keys(self):
        """Swept parameters (scenario keys such as "link.lan.bandwidth"), in order of first appearance."""
        keys = []
        for r in self.records:
            keys += [k for k in r.get("point", {}) if k not in keys]
        return keys

    def _point_columns(self):
        return {k: point_column(k, [r["point"][k] for r in self.records if k in r.get("point", {})])
                for k in self.point_keys}

    @property
    def point_columns(self):
        """Swept parameter -> its column in runs, copies and links ("link.lan.bandwidth" ->
        "link.lan.bandwidth_bit_per_s", numbers in bit/s)."""
        return {k: c[0] for k, c in self._point_columns().items()}

    @property
    def units(self):
        """Column -> unit ("s", "B", "B/s", "bit/s", "J", "J/GiB") of every column with one, swept parameters included."""
        units = dict(_UNIT_OF)
        units.update({name: unit for name, unit, _ in self._point_columns().values() if unit})
        return units

    def _head(self, index, r, columns=None):
        columns = columns or self._point_columns()
        row = {"run": index, "scenario": r.get("scenario")}
        for k, (name, _, convert) in columns.items():
            row[name] = convert(r["point"][k]) if k in r.get("point", {}) else None
        row["method"] = r.get("method")
        return row

    @property
    def runs(self):
        """One row per run: run, scenario, point columns, method, sim_time_s, summary fields
        (seconds, bytes, B/s), shared_link_bytes, client_cpu_s (CPU seconds of the client hosts), and the
        energy: energy_interval_s (the charged interval), total_J, client_J, server_J, network_J, total_J_per_GiB."""
        rows = []
        for i, r in enumerate(self.records):
            row = self._head(i, r)
            row["sim_time_s"] = r.get("sim_time_s")
            row.update({k: r.get("summary", {}).get(k) for k in _SUMMARY})
            m = r.get("metrics", {})
            row["shared_link_bytes"] = sum(m.get("link_bytes", {}).get(n, 0) for n in m.get("shared_links", []))
            row["client_cpu_s"] = sum(m.get("cpu_busy_s", {}).get(n, 0) for n in m.get("client_hosts", []))
            e = r.get("energy", {})
            row["energy_interval_s"] = e.get("interval_s")
            row.update({k: e.get(k) for k in ("total_J", "client_J", "server_J", "network_J", "total_J_per_GiB")})
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def copies(self):
        """One row per copy of every run: run, point columns, method, then host, copy, index,
        size_bytes, state, start_s, end_s, latency_s, throughput_Bps, methods_used, bytes_done,
        ..., `fallbacks` (their count) and bytes_METHOD (bytes each method moved)."""
        rows = []
        for i, r in enumerate(self.records):
            for c in r.get("copies", []):
                row = self._head(i, r)
                row.update({k: c[k] for k in _COPY_FIRST if k in c})
                row.update({k: v for k, v in c.items() if not isinstance(v, (dict, list))})
                row["fallbacks"] = len(c.get("fallbacks", []))
                row.update({f"bytes_{m}": b for m, b in c.get("bytes_by_method", {}).items()})
                rows.append(row)
        return pd.DataFrame(rows)

    @property
    def links(self):
        """Long form: one row per run x link with its bytes and whether it is shared."""
        rows = []
        for i, r in enumerate(self.records):
            m = r.get("metrics", {})
            for name, nbytes in m.get("link_bytes", {}).items():
                row = self._head(i, r)
                row.update(link=name, bytes=nbytes, shared=name in m.get("shared_links", []))
                rows.append(row)
        return pd.DataFrame(rows, columns=["run", "scenario", *self.point_columns.values(), "method", "link", "bytes",
                                           "shared"])

    def speedup(self, baseline="host"):
        """Per run: makespan_s and speedup = baseline's makespan / this makespan at the same point
        (NaN where the point has no baseline run)."""
        df = self.runs
        keys = list(self.point_columns.values())
        base = df[df["method"] == baseline][keys + ["makespan_s"]].rename(columns={"makespan_s": "baseline_s"})
        if keys:
            out = df.merge(base, on=keys, how="left")
        else:
            out = df.assign(baseline_s=base["baseline_s"].iloc[0] if len(base) else float("nan"))
        out["speedup"] = out["baseline_s"] / out["makespan_s"]
        return out[keys + ["method", "makespan_s", "speedup"]]

    def __len__(self):
        return len(self.records)

    def __repr__(self):
        return f"Results({len(self.records)} runs)"
