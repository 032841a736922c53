"""Runs a scenario's sweep points x methods on a Dask distributed cluster.

    res = scenario.run(scheduler="tcp://10.0.0.5:8786")   # or a distributed.Client
    res = run_on_cluster(scenario, "tcp://10.0.0.5:8786", out_dir="out")

One task per run (sweep point x method). Each task carries the scenario's TOML
text, writes it to a temporary file on its worker and runs
`offload-sim-run FILE --point I --method LABEL --output OUT.json` there in a
subprocess; the task returns the parsed JSON record. The records are gathered
in the order of `offload sim` (point-major, method-minor) into the same
`Results` as the local path.

The task function uses only the standard library and is sent to the workers
by value (cloudpickle), so a worker needs no `offloadsim` package, only the
program `offload-sim-run`: in $OFFLOAD_BIN_DIR of the worker, else in the
client's build dir (`offloadsim/_paths.py`, the same path on a shared disk).

Needs `distributed` (Debian: python3-distributed), imported only when used.
"""
import sys
import uuid
from pathlib import Path

from . import _paths
from ._offloadsim import write_results
from .results import Results


class ClusterRunError(RuntimeError):
    """A run on the cluster failed; `point` (index), `method` and `label` say which."""

    def __init__(self, message, point, method, label):
        super().__init__(message)
        self.point, self.method, self.label = point, method, label


# ---------------------------------------------------------------- on the worker

def simulate_run(toml_text, point, method, bin_dir, timeout=None):
    """The task: one simulation run on the worker; returns the run record (a dict).
    Only the standard library here: this function travels to the workers by value."""
    import json as _json
    import os as _os
    import socket as _socket
    import subprocess as _subprocess
    import tempfile as _tempfile
    from pathlib import Path as _Path

    where = _socket.gethostname()
    exe = _Path(_os.environ.get("OFFLOAD_BIN_DIR") or bin_dir) / "offload-sim-run"
    if not exe.is_file():
        raise FileNotFoundError(f"{exe} not found on worker {where}: build the project there or set OFFLOAD_BIN_DIR")
    with _tempfile.TemporaryDirectory(prefix="offloadsim-task-") as tmp:
        scenario = _Path(tmp) / "scenario.toml"
        scenario.write_text(toml_text)
        output = _Path(tmp) / "run.json"
        cmd = [str(exe), str(scenario), "--point", str(int(point)), "--method", str(method), "--output", str(output)]
        try:
            proc = _subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except _subprocess.TimeoutExpired:
            raise RuntimeError(f"offload-sim-run timed out after {timeout} s on worker {where}") from None
        if proc.returncode != 0:
            message = proc.stderr.strip().removeprefix("offload-sim-run: ") or "(no message)"
            raise RuntimeError(f"offload-sim-run failed (exit {proc.returncode}) on worker {where}: {message}")
        with open(output) as f:
            return _json.load(f)


# ---------------------------------------------------------------- on the client

def plan_runs(scenario, summary=None):
    """[(point index, method label, label)] in `offload sim` order (point-major, method-minor),
    as the C++ runner plans them. `summary` is scenario.validate() (called when not given)."""
    summary = summary if summary is not None else scenario.validate()
    return list(summary["plan"])


def _client(scheduler):
    """(client, ours): a distributed.Client for an address, a cluster or a Client."""
    try:
        import distributed
    except ImportError as e:
        raise ImportError("running on a Dask cluster needs the `distributed` package "
                          "(Debian: apt-get install python3-distributed)") from e
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    return distributed.Client(scheduler, set_as_default=False), True


def _ship_by_value():
    """Send this module's functions to the workers by value (they need not import offloadsim)."""
    try:
        import cloudpickle
        module = sys.modules[__name__]
        if __name__ not in cloudpickle.list_registry_pickle_by_value():
            cloudpickle.register_pickle_by_value(module)
    except (ImportError, AttributeError, ValueError):  # cloudpickle < 2: by reference (workers import offloadsim)
        pass


def run_records(scenario, scheduler, timeout=None, summary=None):
    """Every run record of `scenario` computed on the cluster, in `offload sim` order.
    `timeout` (seconds) bounds each run on its worker. Raises ClusterRunError naming
    the point and method of the first run that fails (the others are cancelled)."""
    import distributed

    runs = plan_runs(scenario, summary)
    toml_text = scenario.to_toml()
    bin_dir = str(_paths.bin_dir())
    client, ours = _client(scheduler)
    try:
        _ship_by_value()
        batch = uuid.uuid4().hex[:12]
        futures = [client.submit(simulate_run, toml_text, p, m, bin_dir, timeout, pure=False,
                                 key=f"offload-sim-run-{batch}-{i}-p{p}-{m}")
                   for i, (p, m, _) in enumerate(runs)]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                if future.status == "finished":
                    continue
                p, m, label = runs[index[future.key]]
                try:
                    future.result()
                    error = RuntimeError(f"task ended as '{future.status}'")
                except Exception as e:  # noqa: BLE001 - re-raised below with the run named
                    error = e
                raise ClusterRunError(f"simulation run '{label}' (point {p}, method {m}) failed on the Dask "
                                      f"cluster: {type(error).__name__}: {error}", p, m, label) from error
            records = client.gather(futures)
        finally:
            client.cancel(futures)
    finally:
        if ours:
            client.close()
    return records


def run_on_cluster(scenario, scheduler, out_dir=None, timeout=None):
    """Runs `scenario` on a Dask cluster; returns Results. `scheduler`: an address
    ("tcp://host:8786"), a distributed.Client (left open) or a cluster object.
    `out_dir` keeps scenario.toml, results.json, runs.csv and copies.csv as `offload sim` writes them."""
    summary = scenario.validate()
    records = run_records(scenario, scheduler, timeout=timeout, summary=summary)
    if out_dir is None:
        return Results(records, None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    toml_path = out / "scenario.toml"
    toml_path.write_text(scenario.to_toml())
    for r in records:
        r["file"] = str(toml_path)  # the worker's temporary copy is gone
    write_results(records, str(out))  # the C++ writer of `offload sim --out`
    return Results(records, out)
