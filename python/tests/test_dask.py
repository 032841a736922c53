"""Sweeps on a Dask distributed cluster (Scenario.run(scheduler=...)): a local
cluster of two worker processes on the loopback gives the same DataFrames, in
the same order, as the local `offload sim` path, and the closed-form times."""
import json

import pytest

try:
    import distributed
except ImportError as e:  # pragma: no cover - depends on the machine
    pytest.skip(f"the Dask path needs `distributed` (Debian: apt-get install python3-distributed): {e}",
                allow_module_level=True)

import pandas as pd
import tomllib

import offloadsim
from offloadsim import dask_runner
from test_scenario import local_fs

WRITE = "host.box.disk.write"


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes on 127.0.0.1, no dashboard; closed even when a test fails.
    Even without a dashboard, distributed 2022.12 serves HTTP routes (health, metrics) on every node:
    by default on 0.0.0.0 (the scheduler on port 8787), here on the loopback at random ports."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1", worker_dashboard_address="127.0.0.1:0",
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as c:
        yield c


def swept():
    """The closed-form local-disk scenario at disk write 100 and 200 MB/s."""
    return offloadsim.Scenario.from_dict(local_fs()).sweep(WRITE, ["100MBps", "200MBps"])


def assert_same_results(local, remote):
    pd.testing.assert_frame_equal(remote.runs, local.runs)
    pd.testing.assert_frame_equal(remote.copies, local.copies)
    pd.testing.assert_frame_equal(remote.links, local.links)
    pd.testing.assert_frame_equal(remote.speedup("host"), local.speedup("host"))
    def same(records):  # all but the scenario file's path and the wall-clock time of each run
        return [{k: v for k, v in r.items() if k not in ("file", "wall_s")} for r in records]
    assert same(remote.records) == same(local.records)


def test_cluster_matches_local_and_closed_form(cluster, tmp_path):
    s = swept()
    local = s.run(out_dir=tmp_path / "local", jobs=2)
    remote = s.run(out_dir=tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert_same_results(local, remote)
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        imported = client.run(lambda: "offloadsim" in __import__("sys").modules)
    assert list(imported.values()) == [False, False]  # the task travels by value: workers need no offloadsim

    runs = remote.runs
    assert list(runs[WRITE + "_Bps"]) == [100e6, 100e6, 200e6, 200e6]  # swept rates as numbers, in B/s
    assert list(runs["method"]) == ["host", "kernel-copy"] * 2
    makespan = runs.set_index([WRITE + "_Bps", "method"])["makespan_s"]
    assert makespan[100e6, "host"] == pytest.approx(10 * (10e6 / 200e6 + 10e6 / 100e6), abs=1e-5)  # 1.5 s
    assert makespan[100e6, "kernel-copy"] == pytest.approx(100e6 / 200e6 + 100e6 / 100e6, abs=1e-5)  # 1.5 s
    assert makespan[200e6, "host"] == pytest.approx(10 * (10e6 / 200e6 + 10e6 / 200e6), abs=1e-5)  # 1.0 s
    # kernel-copy overlaps reads and writes, but they share the disk's time (models/disk.hpp):
    # 100 MB / read bandwidth + 100 MB / write bandwidth.
    assert makespan[200e6, "kernel-copy"] == pytest.approx(100e6 / 200e6 + 100e6 / 200e6, abs=1e-5)  # 1.0 s
    assert (runs["done"] == 1).all() and (runs["bytes"] == 100e6).all()

    # The out dir holds what `offload sim --out` writes: the same CSVs, a results.json Results reads.
    out = tmp_path / "dask"
    assert tomllib.loads((out / "scenario.toml").read_text()) == tomllib.loads(s.to_toml())
    for name in ("runs.csv", "copies.csv"):
        assert (out / name).read_text() == (tmp_path / "local" / name).read_text(), name
    assert remote.out_dir == out
    pd.testing.assert_frame_equal(offloadsim.Results.from_json(out / "results.json").runs, local.runs)
    assert all(r["file"] == str(out / "scenario.toml") for r in json.loads((out / "results.json").read_text()))


def test_client_object_and_per_point_methods(cluster):
    s = swept().sweep("scenario.methods", [["kernel-copy"], ["host", "kernel-copy"]])
    assert [(p, m) for p, m, _ in dask_runner.plan_runs(s)] == [
        (0, "kernel-copy"), (1, "host"), (1, "kernel-copy"), (2, "kernel-copy"), (3, "host"), (3, "kernel-copy")]
    with distributed.Client(cluster, set_as_default=False) as client:
        remote = s.run(scheduler=client)
        assert client.status == "running"  # a Client we are given stays open
        assert remote.out_dir is None and len(remote) == 6
    assert_same_results(s.run(), remote)


def test_failed_run_names_point_and_method(cluster, monkeypatch):
    plan = dask_runner.plan_runs

    def with_a_bad_run(scenario, summary=None):
        return plan(scenario, summary) + [(1, "warp-drive", f"{WRITE}=200MBps warp-drive")]

    monkeypatch.setattr(dask_runner, "plan_runs", with_a_bad_run)
    with pytest.raises(dask_runner.ClusterRunError, match=r"point 1, method warp-drive") as e:
        swept().run(scheduler=cluster.scheduler_address)
    assert (e.value.point, e.value.method) == (1, "warp-drive")
    assert f"'{WRITE}=200MBps warp-drive'" in str(e.value) and "lists no method 'warp-drive'" in str(e.value)
    assert isinstance(e.value, RuntimeError)
