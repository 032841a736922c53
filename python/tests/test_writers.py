"""One writer per output format: the status dicts of the Python engine are the
JSON of `offload cp --json`, and the Dask runner's files are those of
`offload sim --out` (both written by the same C++ code, integers exactly)."""
import json
import subprocess

import offloadsim
from offloadsim import _paths, dask_runner
from test_scenario import local_fs

BIG = 2**32 + 1  # bytes: 4.2949673e+09 with 8 significant digits, exact only as an integer
TIMING = ("seconds", "cpu_seconds")  # wall-clock: differ between any two copies


def test_status_dict_is_the_cli_json(tmp_path):
    (tmp_path / "src").write_bytes(b"offload-" * 40000 + b"tail")
    options = {"queue_depth": 2, "copy_depth": 1, "host_chunk": 65536}
    cli = subprocess.run([str(_paths.tool("offload")), "cp", str(tmp_path / "src"), str(tmp_path / "dst"), "--json",
                          "--method", "host", "--queue-depth", "2", "--copy-depth", "1", "--host-chunk", "65536"],
                         capture_output=True, text=True, check=True)
    from_cli = json.loads(cli.stdout)
    # The same copy to the same name again (the first destination removed) through the Python engine.
    (tmp_path / "dst").unlink()
    from_python = offloadsim.copy(tmp_path / "src", tmp_path / "dst", method="host", **options)
    assert set(from_python) == set(from_cli)
    assert {k: v for k, v in from_python.items() if k not in TIMING} == \
           {k: v for k, v in from_cli.items() if k not in TIMING}
    assert from_python["bytes_done"] == 320004 and from_python["method_requested"] == "host"


def test_failed_status_names_errno_as_the_cli_does(tmp_path):
    (tmp_path / "src").write_bytes(b"x" * 4096)
    engine = offloadsim.Engine(queue_depth=1, copy_depth=1)
    engine._hold_after(0)  # nothing runs until released: the cancel lands first
    cookie = engine.submit(str(tmp_path / "src"), str(tmp_path / "dst"), method="host")
    assert engine.cancel(cookie)
    engine._release()
    status = engine.wait(cookie)
    engine.close()
    assert status["state"] == "cancelled"
    assert status["error"]["errno"] == "ECANCELED"  # the name, as in `offload cp --json`
    assert status["destination_left"] == "absent" and status["destination_left_bytes"] == 0


def test_dask_runner_writes_the_files_of_offload_sim(tmp_path):
    s = offloadsim.Scenario.from_dict(local_fs()).set("copy.1.size", f"{BIG}B")
    s.sweep("host.box.disk.write", ["100MBps", "1GBps", "10GBps", "2GBps"])
    local = s.run(out_dir=tmp_path / "local", jobs=2)
    records = json.loads((tmp_path / "local" / "results.json").read_text())
    dask_runner.write_results(records, str(tmp_path / "dask"))
    for name in ("results.json", "runs.csv", "copies.csv"):
        assert (tmp_path / "dask" / name).read_text() == (tmp_path / "local" / name).read_text(), name
    copies = (tmp_path / "local" / "copies.csv").read_text().splitlines()
    header = copies[0].split(",")
    sizes = {row.split(",")[header.index("size_bytes")] for row in copies[1:]}
    assert sizes == {str(BIG)}
    assert all(c["size_bytes"] == BIG and isinstance(c["size_bytes"], int) for r in records for c in r["copies"])
    # The points in the order the sweep gives them (not sorted).
    assert list(dict.fromkeys(local.runs["host.box.disk.write_Bps"])) == [100e6, 1e9, 10e9, 2e9]
