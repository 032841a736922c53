"""`offload report`: one self-contained HTML page (base64 PNG plots, no external
URLs) plus CSV/JSON from simulation results (two tiny CM02 scenarios run for
real), a synthetic `offload compare` report and a synthetic Google Benchmark
JSON; then the page opened in headless Chromium, which must lay out every image.
Chromium missing: skipped, unless OFFLOAD_REQUIRE_REAL_FS=1 (then failed)."""
import base64
import html
import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import offloadsim
from conftest import BUILD, PACKAGE, REPO

PYTHON = "/usr/bin/python3"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--mute-audio"]


def nfs_sweep():
    """200 MB from a filer to itself over 100 Mb/s..10 Gb/s: host moves the bytes twice over the link."""
    return {
        "scenario": {"name": "tiny-nfs", "network_model": "CM02", "methods": ["host", "nfs-copy-sync", "nfs-copy-async"]},
        "engine": {"queue_depth": 4, "host_chunk": "16MB"},
        "host": [{"name": "client", "memcpy_bandwidth": "4GBps", "per_op_cpu": "10us"}],
        "nfs_server": [{"name": "filer", "disk": {"read": "2GBps", "write": "1GBps"}}],
        "link": [{"name": "lan", "bandwidth": "1Gbps", "latency": "100us", "between": ["client", "filer"]}],
        "copy": [{"on": "client", "from": "filer:/a", "to": "filer:/b", "size": "200MB"}],
        "sweep": {"link.lan.bandwidth": ["100Mbps", "1Gbps", "10Gbps"]},
    }


def local_fs():
    """256 MB on a local disk, with and without reflink (clone fails without): methods shared with the real runs."""
    return {
        "scenario": {"name": "tiny-local", "network_model": "CM02", "methods": ["host", "kernel-copy", "clone"]},
        "engine": {"queue_depth": 4, "host_chunk": "16MB"},
        "host": [{"name": "box", "memcpy_bandwidth": "6GBps", "per_op_cpu": "5us",
                  "disk": {"read": "3GBps", "write": "2GBps"}, "fs": {"reflink": True}}],
        "copy": [{"on": "box", "from": "local:/a", "to": "local:/b", "size": "256MB"}],
        "sweep": {"host.box.fs.reflink": [True, False]},
    }


def compare_json():
    def row(fs, method, seconds, cpu, used, outcome="ok"):
        ok = outcome == "ok"
        host = {"xfs": 0.25, "ext4": 0.3}[fs]
        return {"directory": f"/mnt/{fs}", "fs": fs, "method": method, "outcome": outcome,
                "methods_used": used if ok else "", "median_seconds": seconds if ok else 0,
                "bytes_per_second": 268435456 / seconds if ok else 0, "cpu_seconds": cpu if ok else 0,
                "speedup_vs_host": host / seconds if ok else 0, "verified": ok}
    return {"kind": "offload-compare", "size_bytes": 268435456, "repeat": 3, "queue_depth": 8, "runs": [], "rows": [
        row("xfs", "host", 0.25, 0.2, "host"), row("xfs", "kernel-copy", 0.002, 0.001, "clone"),
        row("xfs", "clone", 0.0015, 0.001, "clone"), row("ext4", "host", 0.3, 0.22, "host"),
        row("ext4", "kernel-copy", 0.2, 0.15, "kernel-copy"),
        row("ext4", "clone", 0, 0, "", "clone cannot copy this file pair: Operation not supported (EOPNOTSUPP)")]}


def benchmark_json():
    def bench(name, ms, cpu_s):
        return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 1, "iterations": 4,
                "real_time": ms, "cpu_time": 1.0, "time_unit": "ms", "bytes_per_second": 268435456 / (ms / 1e3),
                "cpu_s_per_copy": cpu_s, "label": name.split("/")[2]}
    return {"context": {"date": "2026-11-01T10:00:00+00:00", "host_name": "vm", "executable": "engine_methods_bench",
                        "num_cpus": 2, "mhz_per_cpu": 2400, "library_build_type": "debug"},
            "benchmarks": [bench("copy/xfs/host/manual_time", 250, 0.2), bench("copy/xfs/clone/manual_time", 1.5, 0.001),
                           bench("copy/ext4/host/manual_time", 300, 0.22),
                           {"name": "copy/ext4/clone/manual_time", "run_name": "copy/ext4/clone/manual_time",
                            "run_type": "iteration", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ms",
                            "error_occurred": True, "error_message": "clone: Operation not supported (EOPNOTSUPP)"}]}


def calibration_json():
    """What `offload calibrate` writes to validation.json: host within 10 %, kernel-copy outside it."""
    def point(fs, method, size, qd, measured, predicted):
        return {"fs": fs, "method": method, "size_bytes": size, "queue_depth": qd, "measured_s": measured,
                "measured_cpu_s": measured / 3, "operations": 10, "samples_s": [measured], "predicted_s": predicted,
                "error": measured / predicted - 1}
    mib = 1048576
    points = [point("ext4", "host", 16 * mib, 1, 0.05, 0.048), point("ext4", "host", 64 * mib, 1, 0.15, 0.16),
              point("ext4", "kernel-copy", 16 * mib, 1, 0.01, 0.008), point("ext4", "kernel-copy", 64 * mib, 1, 0.04, 0.03)]
    rows = []
    for method in ("host", "kernel-copy"):
        mine = [p for p in points if p["method"] == method]
        nbytes = sum(p["size_bytes"] for p in mine)
        measured, predicted = nbytes / sum(p["measured_s"] for p in mine), nbytes / sum(p["predicted_s"] for p in mine)
        rows.append({"fs": "ext4", "method": method, "points": 2, "measured_Bps": measured, "predicted_Bps": predicted,
                     "error": predicted / measured - 1,
                     "worst_point_error": max((p["error"] for p in mine), key=abs),
                     "spread_low_Bps": measured * 0.95, "spread_high_Bps": measured * 1.05})
    # 20 % off, but the repetitions themselves spread from -30 % to +25 %: noise, not bias.
    rows.append({"fs": "xfs", "method": "host", "points": 2, "measured_Bps": 1e9, "predicted_Bps": 1.2e9,
                 "error": 0.2, "worst_point_error": 0.3, "spread_low_Bps": 0.7e9, "spread_high_Bps": 1.25e9})
    return {"kind": "offload-calibration", "target": 0.1, "sizes_bytes": [16 * mib, 64 * mib], "queue_depths": [1],
            "repeat": 3, "rows": rows, "points": points,
            "matching": [{"fs": "ext4", "notes": ["the model cannot explain these points: core_speed at its upper "
                                                  "bound 1 (rms error 14.0 % over 4 host/kernel-copy points)"]}],
            "failures": [{"fs": "ext4", "method": "clone", "outcome": "clone cannot copy this file pair (EOPNOTSUPP)"}],
            "fit": {"cores": 2, "per_op_s": 1.2e-5, "filesystems": [
                {"fs": "ext4", "memcpy_Bps": 5e9, "kernel_copy_Bps": 4e9, "core_speed": 0.3, "reflink": False}]}}


def report_module(args, **kw):
    env = dict(os.environ, PYTHONPATH=str(PACKAGE))
    return subprocess.run([PYTHON, "-m", "offloadsim.report", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300, **kw)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Inputs of every kind, and the page `offload report` made of them (default --out: reports/ in the cwd)."""
    if not (PACKAGE / "offloadsim" / "report" / "__main__.py").is_file():
        pytest.fail(f"{PACKAGE}/offloadsim/report/__main__.py missing: list report/*.py in OFFLOADSIM_PY_FILES "
                    "(python/CMakeLists.txt) and rebuild")
    tmp = tmp_path_factory.mktemp("report")
    offloadsim.Scenario.from_dict(nfs_sweep()).run(out_dir=tmp / "sim-nfs")
    offloadsim.Scenario.from_dict(local_fs()).run(out_dir=tmp / "sim-local")
    offloadsim.Scenario.from_file(REPO / "scenarios" / "faults.toml").run(out_dir=tmp / "sim-faults")
    (tmp / "compare.json").write_text(json.dumps(compare_json()))
    (tmp / "bench.json").write_text(json.dumps(benchmark_json()))
    (tmp / "calibration").mkdir()
    (tmp / "calibration" / "validation.json").write_text(json.dumps(calibration_json()))
    inputs = [tmp / "sim-nfs", tmp / "sim-local" / "results.json", tmp / "compare.json", tmp / "bench.json",
              tmp / "calibration", tmp / "sim-faults"]
    proc = subprocess.run([str(BUILD / "offload"), "report", *map(str, inputs)], cwd=tmp, capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, OFFLOAD_PYTHONPATH=str(PACKAGE)))
    assert proc.returncode == 0, proc.stderr
    out = tmp / "reports"
    assert f"file://{out / 'index.html'}" in proc.stdout
    return out, inputs


def test_page_is_self_contained_with_one_image_per_plot(report):
    out, inputs = report
    page = (out / "index.html").read_text()
    summary = json.loads((out / "data" / "summary.json").read_text())
    # 3 per scenario (throughput; network bytes + CPU; what bounded each run) and a timeline of the faults scenario's
    # copies, compare, benchmarks, calibration, sim vs real.
    assert summary["plots"] == 3 + 3 + 4 + 1 + 1 + 1 + 1
    sources = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", page)
    assert len(sources) == summary["plots"] == sum(s["plots"] for s in summary["sections"])
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"https?://", page), "the page must not reference external URLs"
    assert "<style>" in page and "<link" not in page and "<script" not in page
    assert "<title>Copy offload report</title>" in page and "Generated 20" in page
    for path in inputs:
        assert str(path) in page
    for heading in ("Simulation: tiny-nfs", "Simulation: tiny-local", "Real files: offload compare",
                    "Google Benchmark: engine_methods_bench", "Simulation vs real: speedup over host",
                    "Sim vs real (calibrated)"):
        assert f"<h2>{heading}</h2>" in page
    # Errored benchmarks are listed with their messages; failed compare rows with their outcome.
    assert "copy/ext4/clone/manual_time" in page and "clone: Operation not supported (EOPNOTSUPP)" in page
    assert "clone cannot copy this file pair" in page


def test_data_as_csv_and_json(report):
    out, _ = report
    summary = json.loads((out / "data" / "summary.json").read_text())
    assert [i["kind"] for i in summary["inputs"]] == ["sim", "sim", "compare", "benchmark", "calibration", "sim"]
    files = sorted(p.name for p in (out / "data").iterdir())
    assert files == ["benchmarks-bench.csv", "calibration-points.csv", "calibration.csv", "compare.csv",
                     "sim-faults-copies.csv", "sim-faults-faults.csv", "sim-faults.csv", "sim-tiny-local.csv",
                     "sim-tiny-nfs.csv", "sim-vs-real.csv", "summary.csv", "summary.json"]
    with open(out / "data" / "sim-tiny-nfs.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * 3
    by = {(r["link.lan.bandwidth"], r["method"]): r for r in rows}
    host, offload = by["100Mbps", "host"], by["100Mbps", "nfs-copy-async"]
    # Host-mediated: READ + WRITE of 200 MB cross the link; the server-side copy sends only RPCs.
    assert float(host["shared_link_bytes"]) >= 400e6 > 1e6 > float(offload["shared_link_bytes"])
    # Offloading costs the client a little CPU too (RPCs, syscalls): saved = host's minus offload's, both finite per GiB.
    assert float(host["client_cpu_s"]) > float(offload["client_cpu_s"]) > 0
    assert float(offload["cpu_s_saved"]) == pytest.approx(float(host["client_cpu_s"]) - float(offload["client_cpu_s"]))
    assert all(0 < float(r["client_cpu_s_per_GiB"]) < 1e3 and float(r["server_cpu_s_per_GiB"]) > 0 for r in rows)
    # What bounded each run: at 100 Mb/s the host copy waits for the link, the server-side copy for the filer's disk.
    assert host["bound"] == "link" and offload["bound"] == "disk"
    assert all(abs(sum(float(r[f"share_{k}"]) for k in ("link", "disk", "cpu", "round_trips")) - 1) < 1e-6 for r in rows)
    assert float(offload["speedup_vs_host"]) > 10  # 100 Mb/s: the wire is the bottleneck for host only
    # Energy over each run's charged interval, by part; idle watts dominate, so the shorter copy costs less.
    for r in rows:
        parts = [float(r[f"{k}_J"]) for k in ("client", "server", "network")]
        assert all(p > 0 for p in parts) and float(r["total_J"]) == pytest.approx(sum(parts)), r
    assert float(offload["total_J"]) < float(host["total_J"]) / 5
    tables = {name: rows for s in summary["sections"] for name, rows in s["tables"].items()}
    clone = [r for r in tables["sim-tiny-local"] if r["method"] == "clone"]
    assert [(r["host.box.fs.reflink"], r["failed"]) for r in clone] == [("true", 0), ("false", 1)]
    assert clone[0]["speedup_vs_host"] > 100 and clone[1]["cpu_s_saved"] is None  # a failed copy saves nothing
    bench = tables["benchmarks-bench"]
    assert [b["name"] for b in bench if b["error"]] == ["copy/ext4/clone/manual_time"]
    sim_vs_real = tables["sim-vs-real"]
    assert {r["source"] for r in sim_vs_real if r["method"] == "clone"} >= {
        "sim tiny-local (host.box.fs.reflink=true)", "real xfs (compare)", "real xfs (benchmark)"}


@pytest.mark.parametrize("content, message", [
    (None, "no such file or directory"),
    ("[1, 2", "not valid JSON"),
    ('{"some": "thing"}', "not a recognised results file"),
    ("[]", "no simulation runs"),
    ('{"kind": "offload-compare", "rows": [{"fs": "xfs"}]}', "malformed compare results: row #1 lacks method, outcome"),
])
def test_bad_input_names_the_file(tmp_path, content, message):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    proc = report_module(["--out", tmp_path / "out", path])
    assert proc.returncode == 1
    assert f"offload report: {path}: {message}" in proc.stderr, proc.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_cli_forwards_the_exit_code(tmp_path):
    proc = subprocess.run([str(BUILD / "offload"), "report", str(tmp_path / "missing"), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and f"{tmp_path / 'missing'}: no such file" in proc.stderr


def chromium():
    if not Path(CHROMIUM).is_file():
        message = f"{CHROMIUM} not installed (Debian packages chromium chromium-driver)"
        if os.environ.get("OFFLOAD_REQUIRE_REAL_FS") == "1":
            pytest.fail(message + " and OFFLOAD_REQUIRE_REAL_FS=1")
        pytest.skip(message)
    return CHROMIUM


def run_chromium(tmp_path, *args):
    profile = tmp_path / "chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    proc = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)
    return proc


_CHECK = """<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const decoded = imgs.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0).length;
  const shown = imgs.filter(i => i.getBoundingClientRect().width > 200 && i.getBoundingClientRect().height > 100).length;
  document.body.setAttribute('data-check', `images=${imgs.length} decoded=${decoded} shown=${shown}`);
});
</script>"""


def test_page_renders_in_headless_chromium(report, tmp_path):
    out, _ = report
    plots = json.loads((out / "data" / "summary.json").read_text())["plots"]
    # A copy of the page with a script that records whether every image decoded and was laid out.
    check = out / "check.html"
    check.write_text((out / "index.html").read_text().replace("</body>", _CHECK + "</body>"))
    proc = run_chromium(tmp_path, "--virtual-time-budget=5000", "--window-size=1280,1000", "--dump-dom",
                        check.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'data-check="images=(\d+) decoded=(\d+) shown=(\d+)"', proc.stdout)
    assert found, "the check script did not run:\n" + proc.stdout[:1000]
    assert [int(n) for n in found.groups()] == [plots, plots, plots]
    check.unlink()

    shot = tmp_path / "page.png"
    proc = run_chromium(tmp_path, "--window-size=1280,3000", f"--screenshot={shot}", (out / "index.html").as_uri())
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    import matplotlib.image
    pixels = matplotlib.image.imread(shot)[:, :, :3]
    assert pixels.shape[:2] == (3000, 1280)
    background = (abs(pixels - pixels[5, 5]).sum(axis=2) > 0.05).mean()
    assert background > 0.05, "the screenshot is (nearly) blank"
    colours = {tuple(p) for p in (pixels[::7, ::7].reshape(-1, 3) * 255).astype(int).tolist()}
    assert len(colours) > 50, "the screenshot has too few colours to hold the plots"


def test_calibration_side_by_side_with_its_error(report):
    """Predicted and measured throughput per method, the error, and whether it is within the target."""
    out, _ = report
    page = (out / "index.html").read_text()
    section = page[page.index("<h2>Sim vs real (calibrated)</h2>"):]
    section = section[:section.index("</section>")]
    want = calibration_json()
    host, kernel, noisy = want["rows"]
    assert abs(host["error"]) < 0.1 < abs(kernel["error"])
    cells = re.findall(r"<tr>(.*?)</tr>", section)
    rows = {tuple(re.findall(r"<td[^>]*>(.*?)</td>", c)[:2]): re.findall(r"<td[^>]*>(.*?)</td>", c) for c in cells}
    assert rows["ext4", "host"][6:9] == [f"{host['error']:+.1%}", f"{host['worst_point_error']:+.1%}", "yes"]
    assert rows["ext4", "kernel-copy"][6:9] == [f"{kernel['error']:+.1%}", f"{kernel['worst_point_error']:+.1%}", "NO"]
    # Outside 10 %, inside the measured spread: said so, with the spread beside it.
    assert rows["xfs", "host"][4] == "-30% .. +25%"
    assert rows["xfs", "host"][6:9] == ["+20.0%", "+30.0%", "in spread"]
    assert "ext4: the model cannot explain these points: core_speed at its upper bound 1" in section
    assert "clone cannot copy this file pair (EOPNOTSUPP) (not calibrated)" in section
    assert section.count("<img ") == 1
    with open(out / "data" / "calibration.csv") as f:
        table = list(csv.DictReader(f))
    assert [(r["method"], float(r["measured_Bps"]), float(r["predicted_Bps"]), r["within_target"]) for r in table] == [
        (r["method"], pytest.approx(r["measured_Bps"]), pytest.approx(r["predicted_Bps"]), w)
        for r, w in zip(want["rows"], ["True", "False", "True"])]



# ---- Issue 20 items 1-4: the answer first, faults visible, one number rule, honest wording.

from offloadsim.report.units import format_duration, format_rate, format_ratio  # noqa: E402

_SCIENTIFIC = re.compile(r"\d[eE][-+]?\d")


def table_rows(page, caption):
    """The cells (text) of each body row of the table whose caption starts with `caption`."""
    start = page.index(f"<caption>{html.escape(caption)}")
    body = page[start:page.index("</table>", start)]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return [[html.unescape(c) for c in row] for row in rows if row]


def header(page, caption):
    start = page.index(f"<caption>{html.escape(caption)}")
    return [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page[start:page.index("</tr>", start)])]


def section(page, title):
    start = page.index(f"<h2>{html.escape(title)}</h2>")
    return page[start:page.index("</section>", start)]


def expected_summary_rows():
    return ({"real xfs (compare)", "real ext4 (compare)", "real xfs (benchmark)", "real ext4 (benchmark)", "sim faults"}
            | {f"sim tiny-nfs (link.lan.bandwidth={bw})" for bw in ("100Mbps", "1Gbps", "10Gbps")}
            | {f"sim tiny-local (host.box.fs.reflink={v})" for v in ("true", "false")})


def test_summary_opens_the_page_with_the_best_method_everywhere(report):
    out, inputs = report
    page = (out / "index.html").read_text()
    first = page.index('<section id="summary">')
    assert first == page.index("<section"), "the summary is the first section"
    assert first < page.index("<h2>Inputs</h2>") and "Sections:" not in page[:first]
    rows = {r[0]: r for r in table_rows(page, "Best method per filesystem and scenario")}
    assert set(rows) == expected_summary_rows()
    # Sweep points in the order of their values, not of their text.
    order = [r[0] for r in table_rows(page, "Best method per filesystem and scenario") if "tiny-nfs" in r[0]]
    assert order == [f"sim tiny-nfs (link.lan.bandwidth={bw})" for bw in ("100Mbps", "1Gbps", "10Gbps")]
    # The best method and its gain are those of the data: at 100 Mb/s the fastest server-side copy, bounded by the
    # filer's disk while host waits for the link.
    with open(out / "data" / "sim-tiny-nfs.csv") as f:
        runs = [r for r in csv.DictReader(f) if r["link.lan.bandwidth"] == "100Mbps"]
    best = max((r for r in runs if r["method"] != "host"), key=lambda r: float(r["speedup_vs_host"]))
    host = next(r for r in runs if r["method"] == "host")
    where, method, speedup, time, cpu, net, _, why = rows["sim tiny-nfs (link.lan.bandwidth=100Mbps)"]
    assert method == best["method"] and speedup == format_ratio(float(best["speedup_vs_host"]))
    assert time == f"{format_duration(float(host['makespan_s']))} → {format_duration(float(best['makespan_s']))}"
    assert cpu == f"{format_duration(float(host['client_cpu_s']))} → {format_duration(float(best['client_cpu_s']))}"
    assert net.endswith("KiB") or net.endswith(" B")
    assert "host bound by link lan" in why and f"{best['method']} bound by disk" in why
    # Real filesystems: the clone on xfs, copy_file_range on ext4 (no clone there), with what they did.
    assert rows["real xfs (compare)"][1] == "clone" and "not through the host" in rows["real xfs (compare)"][7]
    assert rows["real ext4 (compare)"][1] == "kernel-copy"
    assert "through host memory only" in rows["real ext4 (compare)"][7]
    assert rows["real ext4 (benchmark)"][1] == "host" and "EOPNOTSUPP" in rows["real ext4 (benchmark)"][7]


_FIRST_SCREEN = """<script>
window.addEventListener('load', () => {
  const s = document.getElementById('summary');
  const box = s.getBoundingClientRect();
  const names = Array.from(s.querySelectorAll('tbody tr td:first-child')).map(td => td.textContent);
  document.body.setAttribute('data-first', JSON.stringify({top: box.top, screen: innerHeight,
    first: document.querySelector('section').id, names: names}));
});
</script>"""


def test_first_screen_shows_the_summary_in_headless_chromium(report, tmp_path):
    """Issue 20's done-when: the report's first screen (1280 x 900) shows the summary table with every scenario
    and real filesystem."""
    out, _ = report
    check = out / "first.html"
    check.write_text((out / "index.html").read_text().replace("</body>", _FIRST_SCREEN + "</body>"))
    proc = run_chromium(tmp_path, "--virtual-time-budget=5000", "--window-size=1280,900", "--dump-dom", check.as_uri())
    check.unlink()
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r"data-first=\"([^\"]*)\"", proc.stdout)
    assert found, "the check script did not run:\n" + proc.stdout[:1000]
    state = json.loads(html.unescape(found.group(1)))
    assert state["first"] == "summary" and 0 <= state["top"] < state["screen"] / 2
    assert set(state["names"]) == expected_summary_rows()
    shot = tmp_path / "first.png"
    proc = run_chromium(tmp_path, "--window-size=1280,900", f"--screenshot={shot}", (out / "index.html").as_uri())
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    import matplotlib.image
    pixels = matplotlib.image.imread(shot)[:, :, :3]
    assert (abs(pixels - pixels[5, 5]).sum(axis=2) > 0.05).mean() > 0.02, "the first screen is (nearly) blank"


def test_faults_and_each_copy_are_visible(report, tmp_path):
    """Issue 20 item 2: counts per method, the faults applied and what happened to each copy, in the report and in
    `offload sim`'s table; a run's "1.00x" no longer hides a copy three times as fast as host's."""
    out, inputs = report
    records = json.loads((inputs[-1] / "results.json").read_text())
    page = section((out / "index.html").read_text(), "Simulation: faults")
    runs = table_rows(page, "Runs (")
    head = header(page, "Runs (")
    for record, row in zip(records, runs):
        counts = {h: row[head.index(h)] for h in ("faults applied", "retries", "redrives", "callbacks lost", "fallbacks")}
        s = record["summary"]
        assert counts == {"faults applied": str(s["faults_applied"]), "retries": str(int(s["retries"])),
                          "redrives": str(int(s["redrives"])), "callbacks lost": str(int(s["callbacks_lost"])),
                          "fallbacks": str(int(s["fallbacks"]))}
    assert any(int(r[head.index("retries")]) > 0 for r in runs), "faults.toml makes some copy retry"
    kinds = {r[0] for r in table_rows(page, "Faults applied")}
    assert kinds == {f["kind"] for f in records[0]["faults"]}
    copies = table_rows(page, "What happened to each copy")
    assert len(copies) == sum(len(r["copies"]) for r in records)
    host = {c["copy"]: c["latency_s"] for r in records if r["method"] == "host" for c in r["copies"]}
    fastest = max((host[c["copy"]] / c["latency_s"], r["method"], c) for r in records if r["method"] != "host"
                  for c in r["copies"] if c["state"] == "done")
    ratio, method, copy = fastest
    makespan = {r["method"]: r["summary"]["makespan_s"] for r in records}
    run_ratio = makespan["host"] / makespan[method]
    assert ratio > 1.5 * run_ratio, "faults.toml: one copy much faster than its run's speed-up says"
    row = next(r for r in copies if r[0] == method and r[1] == f"#{copy['copy']}.{copy['index']}")
    assert row[6:9] == [format_duration(copy["latency_s"]), format_ratio(ratio), copy["methods_used"]]
    assert all(f["errno"] in row[12] for f in copy["fallbacks"])
    assert page.count("<img ") == 4  # throughput, savings, bottleneck, copies' timeline

    # The CLI: the same counts in its table, and a line per copy.
    proc = subprocess.run([str(BUILD / "offload"), "sim", str(REPO / "scenarios" / "faults.toml"), "--out",
                           str(tmp_path / "f"), "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(h in lines[0] for h in ("faults", "retries", "redrives", "lost cb", "fallbacks"))
    for record in json.loads((tmp_path / "f" / "results.json").read_text()):
        s = record["summary"]
        line = next(x for x in lines[2:] if x.split()[1:2] == [record["method"]])
        assert line.split()[-5:] == [str(int(s[k])) for k in ("faults_applied", "retries", "redrives",
                                                                "callbacks_lost", "fallbacks")]
    per_copy = lines[lines.index("Per copy (a run's speed-up is its slowest copy's):") + 2:]
    line = next(x for x in per_copy if x.split()[1:3] == [method, f"#{copy['copy']}.{copy['index']}"])
    assert f" {format_ratio(ratio)} " in line and copy["methods_used"] in line
    assert not _SCIENTIFIC.search(proc.stdout), proc.stdout


def test_one_number_rule_and_clones_as_time(report):
    """Issue 20 item 3: no scientific notation in any table, rates in the unit that suits each value, a clone's
    microseconds as time per copy (not TiB/s), every fitted constant per filesystem, blank where not applicable."""
    out, _ = report
    page = (out / "index.html").read_text()
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert cells and not [c for c in cells if _SCIENTIFIC.search(c)]
    assert "TiB/s" not in page and "PiB/s" not in page
    local = section(page, "Simulation: tiny-local")
    head = header(local, "Runs (")
    clone = next(r for r in table_rows(local, "Runs (") if r[:2] == ["true", "clone"])
    assert clone[head.index("throughput")].endswith(" per copy")
    with open(out / "data" / "sim-tiny-local.csv") as f:
        latency = next(float(r["mean_latency_s"]) for r in csv.DictReader(f)
                       if r["method"] == "clone" and r["host.box.fs.reflink"] == "true")
    assert latency < 0.01 and clone[head.index("throughput")] == format_duration(latency) + " per copy"
    calibration = section(page, "Sim vs real (calibrated)")
    fit = calibration_json()["fit"]
    consts = {r[0]: r[2:] for r in table_rows(calibration, "Fitted constants")}
    assert header(calibration, "Fitted constants")[2:] == [f["fs"] for f in fit["filesystems"]]
    assert consts["memcpy_bandwidth"] == [format_rate(fit["filesystems"][0]["memcpy_Bps"])]
    assert consts["fs.kernel_copy_bandwidth"] == [format_rate(fit["filesystems"][0]["kernel_copy_Bps"])]
    assert consts["per_op_cpu"] == [format_duration(fit["per_op_s"])] and consts["cores"] == ["2"]
    assert consts["fs.clone_fixed_cpu"] == [""]  # ext4 has no reflink: not applicable, absent
    assert not [v for vs in consts.values() for v in vs if v in ("-", "-1", "0", "-1 s", "0 s")]


def test_report_says_where_the_bytes_went(report, tmp_path):
    """Issue 20 item 4: a kernel copy passes host memory (not user space); clones pass neither."""
    out, _ = report
    page = (out / "index.html").read_text()
    assert "not moved" not in page
    compare = section(page, "Real files: offload compare")
    head = header(compare, "Every filesystem x method")
    where = {(r[0], r[1]): r[head.index("where the bytes went")] for r in table_rows(compare, "Every filesystem")}
    assert where["ext4", "kernel-copy"] == "through host memory only (copied in the kernel)"
    assert where["ext4", "host"] == "through user space and host memory (read + write)"
    assert where["xfs", "kernel-copy"] == where["xfs", "clone"] == "not through the host (extents shared)"

    # `offload cp` says the same of a real copy here.
    source = tmp_path / "source"
    source.write_bytes(os.urandom(1 << 20))
    proc = subprocess.run([str(BUILD / "offload"), "cp", str(source), str(tmp_path / "copy"), "--method",
                           "kernel-copy"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "not moved" not in proc.stdout
    via = re.search(r" via (\S+) \[(\S+) -> ", proc.stdout)
    assert via, proc.stdout
    if via.group(1) == "kernel-copy" and via.group(2) != "nfs":
        assert "bytes through user space: 0 B; through host memory: 1.00 MiB (1.00 MiB copied by the kernel)" \
            in proc.stdout
    else:  # a filesystem where copy_file_range remaps extents
        assert "not through the host: 1.00 MiB" in proc.stdout
    assert re.search(r"; host CPU \d+(\.\d+)? (ns|us|ms|s)$", proc.stdout.strip().splitlines()[-1])
