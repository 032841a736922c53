"""Loads the inputs, builds the sections, writes index.html, data/*.csv and data/summary.json."""
import csv
import datetime
import json
import math
import re
from pathlib import Path

from .benchmark import benchmark_section
from .calibration import calibration_section
from .compare import compare_section
from .guest_model import guest_model_section
from .html_page import render_html
from .inputs import ReportError, load_input
from .sim import sim_sections
from .sim_vs_real import sim_vs_real_section
from .summary import summary_section


def _clean(v):
    return None if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else v


def write_csv(path, rows):
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if _clean(v) is None else v) for k, v in r.items()})


#: The order of the page after the summary: this machine's copies, then the simulations (the biggest gain over
#: host first), then how far the simulator is from real copies, then micro-benchmarks.
_ORDER = {"compare": 0, "sim": 1, "sim-vs-real": 2, "calibration": 3, "guest-model": 4, "benchmark": 5}


def _importance(sec):
    if sec.kind != "sim":
        return (_ORDER.get(sec.kind, 9), 0)
    rows = next(iter(sec.data.values()))
    return (_ORDER["sim"], -max((r["speedup_vs_host"] or 0 for r in rows), default=0))


def _benchmark_as_compare(rows):
    """Google Benchmark rows (copy/FS/METHOD) in the shape of compare rows, for the summary."""
    rows = [r for r in rows if r["fs"] and r["method"]]
    host = {r["fs"]: r["real_time_s"] for r in rows if r["method"] == "host" and not r["error"] and r["real_time_s"]}
    return [{"fs": r["fs"], "method": r["method"], "outcome": r["error_message"] or "error" if r["error"] else "ok",
             "median_seconds": r["real_time_s"], "cpu_seconds": r["cpu_s_per_copy"], "methods_used": r["method"],
             "speedup_vs_host": host[r["fs"]] / r["real_time_s"] if r["fs"] in host and r["real_time_s"] else None}
            for r in rows]


def build_report(inputs, out_dir, title="Copy offload report"):
    """Loads every input, writes out_dir/index.html, data/*.csv, data/summary.json; returns the summary dict."""
    loaded = []
    for arg in inputs:
        loaded += load_input(arg)
    sections, sims, reals, real_rows, guest_inputs = [], [], [], [], []
    for path, kind, data in loaded:
        try:
            if kind == "sim":
                for sec in sim_sections(path, data):
                    sections.append(sec)
                    name, rows = next(iter(sec.data.items()))
                    sims.append((name.removeprefix("sim-"), sec.point_keys, rows))
            elif kind == "calibration":
                sections.append(calibration_section(path, data))
            elif kind == "guest-model":  # one section for every guest input (NFS, iSCSI, SMB)
                guest_inputs.append((path, data))
                if len(guest_inputs) == 1:
                    sections.append(None)  # its place in the page; filled in below
            elif kind == "compare":
                sec = compare_section(path, data)
                sections.append(sec)
                for fs in dict.fromkeys(r["fs"] for r in sec.data["compare"]):
                    sp = {r["method"]: r["speedup_vs_host"] for r in sec.data["compare"]
                          if r["fs"] == fs and r["outcome"] == "ok" and r["speedup_vs_host"]}
                    if sp:
                        reals.append((f"real {fs} (compare)", sp))
                real_rows.append(("compare", sec.data["compare"]))
            else:
                sec = benchmark_section(path, data)
                sections.append(sec)
                rows = next(iter(sec.data.values()))
                for fs in dict.fromkeys(r["fs"] for r in rows if r["fs"]):
                    t = {r["method"]: r["real_time_s"] for r in rows if r["fs"] == fs and not r["error"] and r["real_time_s"]}
                    if t.get("host"):
                        reals.append((f"real {fs} (benchmark)", {m: t["host"] / v for m, v in t.items()}))
                real_rows.append(("benchmark", _benchmark_as_compare(rows)))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ReportError(f"{path}: malformed {kind} results ({type(e).__name__}: {e})") from None
    if guest_inputs:
        try:
            sections[sections.index(None)] = guest_model_section(guest_inputs)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            names = ", ".join(path for path, _ in guest_inputs)
            raise ReportError(f"{names}: malformed guest-model results ({type(e).__name__}: {e})") from None
    if sims and reals:
        sec = sim_vs_real_section(sims, reals)
        if sec:
            sections.append(sec)
    sections.sort(key=_importance)
    summary_sec = summary_section(sims, real_rows)
    if summary_sec:
        sections.insert(0, summary_sec)
    out = Path(out_dir)
    data_dir = out / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    files, used = [], set()
    for sec in sections:
        for name, rows in sec.data.items():
            base = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            fname, n = f"{base}.csv", 2
            while fname in used:
                fname, n = f"{base}-{n}.csv", n + 1
            used.add(fname)
            write_csv(data_dir / fname, rows)
            files.append(fname)
            sec.csv = getattr(sec, "csv", []) + [fname]
    generated = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    plots = sum(len(s.figures) for s in sections)
    summary = {"title": title, "generated": generated, "plots": plots,
               "inputs": [{"path": p, "kind": k} for p, k, _ in loaded],
               "sections": [{"title": s.title, "source": s.source, "kind": s.kind, "plots": len(s.figures),
                             "csv": getattr(s, "csv", []),
                             "tables": {n: [{k: _clean(v) for k, v in r.items()} for r in rows]
                                        for n, rows in s.data.items()}} for s in sections]}
    with open(data_dir / "summary.json", "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    files.append("summary.json")
    page = render_html(title, generated, [(p, k) for p, k, _ in loaded], sections, files)
    (out / "index.html").write_text(page)
    return summary
