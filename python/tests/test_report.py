"""`offload report`: one self-contained HTML page (base64 PNG plots, no external
URLs) plus CSV/JSON from simulation results (two tiny CM02 scenarios run for
real), a synthetic `offload compare` report and a synthetic Google Benchmark
JSON; then the page opened in headless Chromium, which must lay out every image.
Chromium missing: skipped, unless OFFLOAD_REQUIRE_REAL_FS=1 (then failed)."""
import base64
import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import offloadsim
from conftest import BUILD, PACKAGE

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
    (tmp / "compare.json").write_text(json.dumps(compare_json()))
    (tmp / "bench.json").write_text(json.dumps(benchmark_json()))
    (tmp / "calibration").mkdir()
    (tmp / "calibration" / "validation.json").write_text(json.dumps(calibration_json()))
    inputs = [tmp / "sim-nfs", tmp / "sim-local" / "results.json", tmp / "compare.json", tmp / "bench.json",
              tmp / "calibration"]
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
    # 3 per scenario (throughput; network bytes + CPU; what bounded each run), compare, benchmarks, calibration,
    # sim vs real.
    assert summary["plots"] == 3 + 3 + 1 + 1 + 1 + 1
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
    assert [i["kind"] for i in summary["inputs"]] == ["sim", "sim", "compare", "benchmark", "calibration"]
    files = sorted(p.name for p in (out / "data").iterdir())
    assert files == ["benchmarks-bench.csv", "calibration-points.csv", "calibration.csv", "compare.csv",
                     "sim-tiny-local.csv", "sim-tiny-nfs.csv", "sim-vs-real.csv", "summary.json"]
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

