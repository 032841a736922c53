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
import json
import sys
import uuid
from pathlib import Path

from . import _paths
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

def _point_text(point):
    """'key=value key=value' as `offload sim` labels a point, '-' for none."""
    return " ".join(f"{k}={v}" for k, v in point.items()) or "-"


def plan_runs(scenario, summary=None):
    """[(point index, method label, label)] in `offload sim` order (point-major, method-minor).
    `summary` is scenario.validate() (called when not given). A sweep over `scenario.methods`
    gives each point its own methods."""
    summary = summary if summary is not None else scenario.validate()
    keys = list(summary["sweep_keys"])
    sweep = scenario.data.get("sweep", {})
    runs = []
    for p in range(summary["points"]):
        methods = summary["methods"]
        if "scenario.methods" in keys:
            rest = p
            for key in reversed(keys):  # last axis varies fastest, as in the C++ expansion
                values = sweep[key]
                if key == "scenario.methods":
                    methods = list(values[rest % len(values)])
                rest //= len(values)
        label = _point_text(summary["point_values"][p])
        runs.extend((p, m, f"{label} {m}") for m in methods)
    return runs


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
    write_results(records, out)
    return Results(records, out)


# ---------------------------------------------------------------- files as `offload sim --out` writes them

def _csv(text):
    text = str(text)
    if not any(c in text for c in ',"\n'):
        return text
    return '"' + text.replace('"', '""') + '"'


def _num(value):
    return format(float(value), ".9g")


def _json(value):
    return json.dumps(value, ensure_ascii=False)


def _bottleneck_cells(b):
    """',bound,share_link,share_disk,share_cpu,share_round_trips' (empty when not attributed)."""
    if b.get("bound") is None:
        return ",,,,,"
    return "," + b["bound"] + "".join("," + _num(b["shares"][k]) for k in ("link", "disk", "cpu", "round_trips"))


def write_results(records, directory):
    """results.json, runs.csv and copies.csv in `directory` (the layout of sim/runner.cpp)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "results.json", "w") as f:
        json.dump(records, f, indent=2, ensure_ascii=False)
        f.write("\n")
    point_keys = sorted({k for r in records for k in r["point"]})
    links = sorted({k for r in records for k in r["metrics"]["link_bytes"]})
    cpus = sorted({k for r in records for k in r["metrics"]["cpu_busy_s"]})
    runs = ["".join(_csv(k) + "," for k in point_keys)
            + "method,copies,done,makespan_s,mean_latency_s,aggregate_throughput_Bps,sim_time_s,"
            + "client_cpu_s_per_GiB,server_cpu_s_per_GiB,bound,share_link,share_disk,share_cpu,share_round_trips"
            + "".join("," + _csv("link_bytes:" + k) for k in links)
            + "".join("," + _csv("cpu_busy_s:" + k) for k in cpus) + "\n"]
    copies = ["".join(_csv(k) + "," for k in point_keys)
              + "method,host,copy,index,size_bytes,state,start_s,end_s,latency_s,throughput_Bps,methods_used,"
              + "bytes_done,fallbacks,retries,redrives,callbacks_lost\n"]
    for r in records:
        cells = "".join(_csv(r["point"].get(k, "")) + "," for k in point_keys)
        s, m = r["summary"], r["metrics"]
        runs.append(cells + ",".join([_csv(r["method"]), _json(s["copies"]), _json(s["done"]), _num(s["makespan_s"]),
                                      _num(s["mean_latency_s"]), _num(s["aggregate_throughput_Bps"]),
                                      _num(r["sim_time_s"])])
                    + "".join("," + (_num(s[k]) if s.get(k) is not None else "")
                              for k in ("client_cpu_s_per_GiB", "server_cpu_s_per_GiB"))
                    + _bottleneck_cells(r.get("bottleneck") or {})
                    + "".join("," + _num(m["link_bytes"].get(k, 0)) for k in links)
                    + "".join("," + _num(m["cpu_busy_s"].get(k, 0)) for k in cpus) + "\n")
        for c in r["copies"]:
            copies.append(cells + ",".join([_csv(r["method"]), _csv(c["host"]), _json(c["copy"]), _json(c["index"]),
                                            _num(c["size_bytes"]), str(c["state"]), _num(c["start_s"]),
                                            _num(c["end_s"]), _num(c["latency_s"]), _num(c["throughput_Bps"]),
                                            _csv(c["methods_used"]), _num(c["bytes_done"]),
                                            str(len(c["fallbacks"])), _num(c["retries"]), _num(c["redrives"]),
                                            _num(c["callbacks_lost"])]) + "\n")
    (directory / "runs.csv").write_text("".join(runs))
    (directory / "copies.csv").write_text("".join(copies))
