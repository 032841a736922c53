"""Scenarios from dicts and files: validation, round trip, runs in processes,
results as DataFrames checked against closed-form times (CM02)."""
import tomllib
from pathlib import Path

import pytest

import offloadsim

REPO = Path(__file__).resolve().parents[2]


def local_fs():
    """100 MB on a local disk (read 200 MB/s, write 100 MB/s), free CPU, one
    operation at a time: host = 10 x (10 MB/200 + 10 MB/100) = 1.5 s, kernel-copy
    = 100 MB / 100 MB/s = 1.0 s."""
    return {
        "scenario": {"name": "local", "network_model": "CM02", "methods": ["host", "kernel-copy"]},
        "engine": {"queue_depth": 1, "host_chunk": "10MB"},
        "host": [{"name": "box", "memcpy_bandwidth": "1PBps", "buffer_fault_bandwidth": "1PBps", "per_op_cpu": "0s",
                  "disk": {"read": "200MBps", "write": "100MBps"}}],
        "copy": [{"on": "box", "from": "local:/a", "to": "local:/b", "size": "100MB"}],
    }


def nfs():
    """100 MB over a 1 Gb/s, 1 ms link from a filer to itself, free disk and CPU."""
    return {
        "scenario": {"name": "nfs", "network_model": "CM02", "methods": ["host", "nfs-copy-sync"]},
        "engine": {"queue_depth": 1, "host_chunk": "10MB"},
        "host": [{"name": "client", "memcpy_bandwidth": "1PBps", "buffer_fault_bandwidth": "1PBps", "per_op_cpu": "0s"}],
        "nfs_server": [{"name": "filer", "memcpy_bandwidth": "1PBps", "per_op_cpu": "0s",
                        "disk": {"read": "1PBps", "write": "1PBps"}, "copy": {"rpc_size": 0}}],
        "link": [{"name": "lan", "bandwidth": "1Gbps", "latency": "1ms", "between": ["client", "filer"]}],
        "copy": [{"on": "client", "from": "filer:/a", "to": "filer:/b", "size": "100MB"}],
    }


def test_dict_round_trips_through_toml():
    s = offloadsim.Scenario.from_dict(nfs())
    assert tomllib.loads(s.to_toml()) == nfs()
    s.sweep("link.lan.bandwidth", ["1Gbps", "10Gbps"]).set("nfs_server.filer.copy.async", False)
    data = tomllib.loads(s.to_toml())
    assert data["sweep"] == {"link.lan.bandwidth": ["1Gbps", "10Gbps"]}
    assert data["nfs_server"][0]["copy"] == {"rpc_size": 0, "async": False}
    assert s.get("copy.1.size") == "100MB"


def test_keys_resolve_as_in_a_sweep():
    """set/get resolve keys with the loader's rule: an existing table takes a new field, a missing
    table is refused (by set and by [sweep] alike, with the same cause)."""
    s = offloadsim.Scenario.from_dict(nfs())
    assert s.set("host.client.cores", 2).get("host.1.cores") == 2
    with pytest.raises(KeyError, match="no table 'fs'"):
        s.set("host.client.fs.reflink", False)
    with pytest.raises(offloadsim.ScenarioError, match="no table 'fs'"):
        s.sweep("host.client.fs.reflink", [False]).validate()


def test_local_fs_runs_match_closed_form(tmp_path):
    s = offloadsim.Scenario.from_dict(local_fs())
    summary = s.validate()
    assert summary["points"] == 1 and summary["methods"] == ["host", "kernel-copy"]
    res = s.run(out_dir=tmp_path / "out")
    assert (tmp_path / "out" / "results.json").is_file()
    runs = res.runs.set_index("method")
    assert runs.loc["host", "makespan_s"] == pytest.approx(1.5, abs=1e-5)
    # kernel-copy reads and writes at once, sharing the disk's time: 100 MB / 200 MB/s + 100 MB / 100 MB/s.
    assert runs.loc["kernel-copy", "makespan_s"] == pytest.approx(1.5, abs=1e-5)
    assert runs.loc["host", "sim_time_s"] == pytest.approx(1.5, abs=1e-5)
    assert (runs["done"] == 1).all() and (runs["bytes"] == 100e6).all()
    assert runs.loc["kernel-copy", "aggregate_throughput_Bps"] == pytest.approx(100e6 / 1.5, rel=1e-5)
    # Energy over the makespan, all of it the client's on a local path.
    assert (runs["energy_interval_s"] - runs["makespan_s"]).abs().max() < 1e-9
    assert (runs["total_J"] == runs["client_J"]).all() and (runs["client_J"] > 0).all()
    assert (runs["server_J"] == 0).all() and (runs["network_J"] == 0).all()
    assert res.units["total_J"] == "J"
    copies = res.copies.set_index("method")
    assert copies.loc["host", "latency_s"] == pytest.approx(1.5, abs=1e-5)
    assert copies.loc["host", "methods_used"] == "host" and copies.loc["host", "state"] == "done"
    assert copies.loc["kernel-copy", "bytes_kernel-copy"] == 100e6
    speedup = res.speedup("host").set_index("method")["speedup"]
    assert speedup["host"] == pytest.approx(1.0) and speedup["kernel-copy"] == pytest.approx(1.0, rel=1e-5)


def test_nfs_links_closed_form():
    res = offloadsim.Scenario.from_dict(nfs()).run()
    links = res.links.set_index(["method", "link"])["bytes"]
    assert links["host", "lan"] == 2 * 100e6  # READ + WRITE cross the link
    assert links["nfs-copy-sync", "lan"] == 0  # server-side: no data on the wire
    host = res.runs.set_index("method").loc["host", "makespan_s"]
    assert host == pytest.approx(2e-3 + 10 * 2 * (1e-3 + 0.08 + 1e-3) + 2e-3, abs=1e-5)


def test_bad_dict_names_the_key():
    d = local_fs()
    d["host"][0]["nick"] = "100Gbps"
    with pytest.raises(offloadsim.ScenarioError, match="unknown key 'nick'") as e:
        offloadsim.Scenario.from_dict(d).validate()
    assert isinstance(e.value, ValueError) and "<dict> (line " in str(e.value)
    with pytest.raises(offloadsim.ScenarioError, match="size"):
        offloadsim.Scenario.from_dict(local_fs()).set("copy.1.size", "lots").run()
    with pytest.raises(KeyError):
        offloadsim.Scenario.from_dict(local_fs()).set("link.lan.bandwidth", "1Gbps")


def test_sweep_gives_a_row_per_point_and_method():
    s = offloadsim.Scenario.from_dict(local_fs()).sweep("host.box.disk.write", ["100MBps", "200MBps"])
    assert s.validate()["runs"] == 4
    runs = s.run(jobs=2).runs
    assert len(runs) == 4
    assert list(runs["host.box.disk.write_Bps"]) == [100e6, 100e6, 200e6, 200e6]
    assert list(runs["method"]) == ["host", "kernel-copy"] * 2
    host = runs[runs["method"] == "host"].set_index("host.box.disk.write_Bps")["makespan_s"]
    assert host[200e6] == pytest.approx(10 * (10e6 / 200e6 + 10e6 / 200e6), abs=1e-5)
    assert len(s.run().speedup()) == 4


def test_shipped_file_loads_and_validates():
    s = offloadsim.Scenario.from_file(REPO / "scenarios" / "local-fs.toml")
    summary = s.validate()
    assert summary["sweep_keys"] == ["host.box.fs.reflink"] and summary["points"] == 2
    assert s.set("engine.queue_depth", 4).validate()["name"] == "local-fs"


def test_swept_values_come_back_as_numbers_with_their_unit():
    """Issue 20 item 7: "1Gbps" is 1e9 in a column named for its unit, not text; booleans are booleans."""
    res = offloadsim.Results([
        {"scenario": "s", "method": m, "point": {"link.lan.bandwidth": bw, "host.box.fs.reflink": reflink,
                                                  "engine.queue_depth": qd, "setup": name},
         "summary": {"makespan_s": 1.0}, "metrics": {}, "copies": []}
        for m in ("host", "clone")
        for bw, reflink, qd, name in (("100Mbps", "true", "4", "a"), ("1Gbps", "false", "16", "b"),
                                      ("2.5Gbps", "true", "4", "c"))])
    runs = res.runs
    assert res.point_columns == {"link.lan.bandwidth": "link.lan.bandwidth_bit_per_s",
                                 "host.box.fs.reflink": "host.box.fs.reflink", "engine.queue_depth": "engine.queue_depth",
                                 "setup": "setup"}
    assert list(runs["link.lan.bandwidth_bit_per_s"][:3]) == [100e6, 1e9, 2.5e9]
    assert runs["link.lan.bandwidth_bit_per_s"].dtype == float
    assert runs["host.box.fs.reflink"].dtype == bool and runs["engine.queue_depth"].dtype == "int64"
    assert list(runs["setup"][:3]) == ["a", "b", "c"]  # names stay text
    assert res.units["link.lan.bandwidth_bit_per_s"] == "bit/s" and res.units["makespan_s"] == "s"
    assert list(res.speedup()["speedup"]) == [1.0] * 6


@pytest.mark.parametrize("change, call", [
    (lambda s: s.set("host.box.memcpy_bandwidth", "fast"), "Scenario.set('host.box.memcpy_bandwidth', 'fast')"),
    (lambda s: s.sweep("copy.1.size", ["1MB", "lots"]), "Scenario.sweep('copy.1.size', ['1MB', 'lots'])"),
    (lambda s: s.set("engine.queue_depth", 0), "Scenario.set('engine.queue_depth', 0)"),
])
def test_error_in_a_key_set_from_python_names_the_call(change, call):
    """Issue 20 item 7: not a line of a TOML text the user never wrote."""
    s = change(offloadsim.Scenario.from_file(REPO / "scenarios" / "local-fs.toml"))
    with pytest.raises(offloadsim.ScenarioError) as e:
        s.validate()
    assert str(e.value).startswith(call + ": "), str(e.value)
    assert "local-fs.toml:" not in str(e.value)
