"""`offload report` on the JSON of bench/guest_model_vs_real.sh: the "Model vs
real (remote paths)" section lists every point with its prediction error and
says which were held out, and a directory holding the file is picked up."""
import csv
import json
import re

import pytest

from offloadsim import report


def guest_json():
    def row(method, rate, size, measured, simulated, held_out):
        return {"method": method, "rate": rate, "bytes": size, "measured_s": measured, "spread_low_s": measured * 0.9,
                "spread_high_s": measured * 1.2, "repetitions": 5, "simulated_s": simulated,
                "error_pct": 100 * (simulated / measured - 1), "in_spread": 0.9 <= simulated / measured <= 1.2,
                "held_out": held_out}
    nfs = [row("host", "unthrottled", 4 << 20, 2.0, 2.1, False), row("host", "50mbit", 4 << 20, 3.0, 2.4, True),
           row("nfs-copy-async", "50mbit", 4 << 20, 0.3, 0.31, True)]
    scsi = [row("scsi-xcopy", "50mbit", 16 << 20, 1.0, 1.5, True)]
    calibration = {"knobs": {"client_stack_factor": {"value": 12.5}}, "on_bound": ["server_per_op_s"]}
    return {"kind": "guest-model-vs-real", "command": "bench/guest_model_vs_real.sh --repeat 5",
            "sizes": ["4MiB", "16MiB"], "rates": ["unthrottled", "50mbit"], "repeat": 5, "split": "rate",
            "paths": {"nfs": {"rows": nfs, "calibration": calibration, "held_out_points": 2,
                              "held_out_median_abs_error_pct": 11.7},
                      "scsi": {"rows": scsi, "calibration": {}, "held_out_points": 1,
                               "held_out_median_abs_error_pct": 50.0}},
            "held_out_median_abs_error_pct": 20.0}


def test_every_point_with_its_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "guest-model-vs-real.json").write_text(json.dumps(guest_json()))
    summary = report.build_report([str(tmp_path / "in")], tmp_path / "out")
    assert [s["title"] for s in summary["sections"]] == ["Model vs real (remote paths)"]
    page = (tmp_path / "out" / "index.html").read_text()
    section = page[page.index("<h2>Model vs real (remote paths)</h2>"):]
    section = section[:section.index("</section>")]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", c) for c in re.findall(r"<tr>(.*?)</tr>", section)]
    cells = [r for r in rows if r]  # the header row has th cells only
    assert [c[0:3] + c[7:9] for c in cells] == [
        ["nfs", "host", "unthrottled", "+5.0% (in spread)", "fit"],
        ["nfs", "host", "50mbit", "-20.0%", "yes"],
        ["nfs", "nfs-copy-async", "50mbit", "+3.3% (in spread)", "yes"],
        ["scsi", "scsi-xcopy", "50mbit", "+50.0%", "yes"]]
    assert "median absolute error over 2 held-out points 11.7 % (goal 25 %)" in section
    assert "On a bound (the model cannot explain these points): server_per_op_s" in section
    assert "All paths: median absolute error over the held-out points 20.0 % (goal 25 %)" in section
    assert section.count("<img ") == 1
    with open(tmp_path / "out" / "data" / "guest-model-vs-real.csv") as f:
        table = list(csv.DictReader(f))
    assert [(r["path"], r["held_out"], float(r["error_pct"])) for r in table] == [
        ("nfs", "False", pytest.approx(5.0)), ("nfs", "True", pytest.approx(-20.0)),
        ("nfs", "True", pytest.approx(100 * (0.31 / 0.3 - 1))), ("scsi", "True", pytest.approx(50.0))]


def test_a_row_without_its_error_names_the_file(tmp_path):
    data = guest_json()
    del data["paths"]["nfs"]["rows"][0]["error_pct"]
    (tmp_path / "g.json").write_text(json.dumps(data))
    with pytest.raises(report.ReportError, match=r"g\.json"):
        report.build_report([str(tmp_path / "g.json")], tmp_path / "out")


def smb_json():
    rows = [{"method": m, "rate": rate, "bytes": 64 << 20, "measured_s": measured, "spread_low_s": measured,
             "spread_high_s": measured, "repetitions": 3, "simulated_s": simulated,
             "error_pct": 100 * (simulated / measured - 1), "in_spread": False, "held_out": rate != "unthrottled"}
            for m, rate, measured, simulated in (("clone", "unthrottled", 0.5, 0.5), ("clone", "50mbit", 0.6, 0.45))]
    return {"kind": "guest-model-vs-real", "command": "bench/smb_guest_bench.sh build", "sizes": ["67108864 B"],
            "rates": ["unthrottled", "50mbit"], "repeat": 3, "split": "rate",
            "scenario_note": "The SMB scenario counts every exchange the client sends",
            "paths": {"smb": {"rows": rows, "calibration": {"knobs": {"exchange_s": {"value": 0.0165}}},
                              "held_out_points": 1, "held_out_median_abs_error_pct": 25.0}}}


def test_the_smb_guest_joins_the_same_section(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "guest-model-vs-real.json").write_text(json.dumps(guest_json()))
    (tmp_path / "in" / "smb-guest-model-vs-real.json").write_text(json.dumps(smb_json()))
    summary = report.build_report([str(tmp_path / "in")], tmp_path / "out")
    assert [s["title"] for s in summary["sections"]] == ["Model vs real (remote paths)"]
    with open(tmp_path / "out" / "data" / "guest-model-vs-real.csv") as f:
        table = list(csv.DictReader(f))
    assert [(r["path"], r["method"], r["rate"], float(r["error_pct"])) for r in table if r["path"] == "smb"] == [
        ("smb", "clone", "unthrottled", pytest.approx(0.0)), ("smb", "clone", "50mbit", pytest.approx(-25.0))]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "The SMB scenario counts every exchange the client sends; its knobs are fitted on the first rate" in page
    assert "smb: fitted exchange_s = " in page
    # held out: nfs 20.0, 3.3; scsi 50.0; smb 25.0 -> median 22.5
    assert "All paths: median absolute error over the held-out points 22.5 % (goal 25 %)" in page
