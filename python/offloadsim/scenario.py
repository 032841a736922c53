"""Scenarios: load a TOML file or a dict, change parameters, validate, run.

Every simulation runs in its own process: `run` starts `offload sim`, which
runs each sweep point x method as one `offload-sim-run` process on this
machine; `run(scheduler=...)` runs them as tasks on a Dask distributed cluster
instead (offloadsim/dask_runner.py).
"""
import copy as _copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

from . import _paths, toml_writer
from ._offloadsim import ScenarioError, sweep_key_path, validate_scenario
from .results import Results


def _run_offload_sim(cmd, timeout):
    """(exit status, stderr) of `offload sim` run as `cmd`. On a timeout or an exception here
    (KeyboardInterrupt) it gets SIGTERM, so it ends its simulation processes before it exits (SIGKILL
    would leave them running); then the exception goes on (subprocess.TimeoutExpired for a timeout)."""
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=os.environ.copy()) as proc:
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except BaseException:
            proc.terminate()
            proc.communicate()
            raise
    return proc.returncode, stderr


class Scenario:
    """A scenario as a dict (the TOML structure), with its source name."""

    def __init__(self, data, source="<dict>", text=None):
        self.data = data            #: the scenario as nested dicts and lists
        self.source = str(source)   #: file path, or "<dict>", used in messages
        self._text = text           # original TOML text while unmodified
        self._calls = []            # (key, "Scenario.set('k', v)"): what Python changed, for error messages

    @classmethod
    def from_file(cls, path):
        """Read a TOML scenario file (errors name the file and line)."""
        text = Path(path).read_text()
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ScenarioError(f"{path}: TOML syntax error: {e}") from None
        return cls(data, path, text)

    @classmethod
    def from_dict(cls, data, name="<dict>"):
        """A scenario from a dict shaped like the TOML file (deep-copied)."""
        return cls(_copy.deepcopy(dict(data)), name)

    @property
    def name(self):
        """[scenario].name."""
        return self.data.get("scenario", {}).get("name", "")

    def to_toml(self):
        """TOML text of the scenario (the original text while unmodified)."""
        return self._text if self._text is not None else toml_writer.dumps(self.data)

    def _locate(self, key):
        """(table, field) a sweep-style key names, resolved by the C++ loader's own rule
        (sweep_key_path): the tables must exist, the field may be new. KeyError otherwise."""
        try:
            path = sweep_key_path(self.to_toml(), self.source, key)
        except ScenarioError as e:
            raise KeyError(str(e)) from None
        node = self.data
        for step in path[:-1]:
            node = node[step]
        return node, path[-1]

    def get(self, key):
        """The value at a sweep-style key ("link.lan.bandwidth", "engine.queue_depth", "copy.1.size")."""
        node, field = self._locate(key)
        if field not in node:
            raise KeyError(f"'{key}': no field '{field}'")
        return node[field]

    def set(self, key, value):
        """Set a parameter by sweep-style key, as a [sweep] entry would: the field may be new,
        its tables must exist (KeyError naming the key otherwise); returns self."""
        node, field = self._locate(key)
        node[field] = value
        self._text = None
        self._calls.append((key, f"Scenario.set({key!r}, {value!r})"))
        return self

    def sweep(self, key, values):
        """Sweep `key` over `values` (adds to [sweep]); returns self."""
        self.data.setdefault("sweep", {})[key] = list(values)
        self._text = None
        self._calls.append((key, f"Scenario.sweep({key!r}, {list(values)!r})"))
        return self

    def validate(self):
        """Check everything up front; returns {name, points, sweep_keys, methods, runs, ...}.
        Raises ScenarioError("SOURCE:LINE: where: what"); for a value set from Python, the error names that call
        ("Scenario.set('link.lan.bandwidth', 'fast'): [[link]] #1 'lan': key 'bandwidth': ...")."""
        try:
            return validate_scenario(self.to_toml(), self.source)
        except ScenarioError as e:
            if self._text is not None:
                raise
            raise ScenarioError(self._python_origin(str(e))) from None

    _MESSAGE = re.compile(r"^(?P<source>.*?):(?P<line>\d+): (?P<where>.*?): key '(?P<field>[^']+)': (?P<cause>.*)$", re.S)

    def _python_origin(self, message):
        """The validator's message about the TOML text generated from this dict, said in terms of the Python call
        that set the offending key; other messages say the line is in Scenario.to_toml()'s text."""
        m = self._MESSAGE.match(message)
        if m:
            for key, call in reversed(self._calls):
                parts = key.split(".")
                entry_named = len(parts) < 3 or f"'{parts[1]}'" in m["where"] or f"#{parts[1]}" in m["where"]
                if parts[-1] == m["field"] and parts[0] in m["where"] and entry_named:
                    return f"{call}: {m['where']}: key '{m['field']}': {m['cause']}"
        head, sep, rest = message.partition(": ")
        where = head.rpartition(":")
        if sep and where[2].isdigit():
            return f"{where[0]} (line {where[2]} of Scenario.to_toml()): {rest}"
        return message

    def run(self, out_dir=None, jobs=None, timeout=None, scheduler=None):
        """Run every sweep point x method, each in its own process; returns Results.
        `out_dir` keeps scenario.toml, results.json, runs.csv and copies.csv (default: a temporary dir).
        Local (default): `offload sim -j jobs` runs `jobs` simulations at once, each its own process (default:
        one per usable CPU; 1: one after another; the results are the same either way); `timeout` (seconds)
        bounds it all: then every simulation is ended and subprocess.TimeoutExpired raised.
        `scheduler` (an address such as "tcp://127.0.0.1:8786", a distributed.Client or a cluster): one
        Dask task per run instead, each running `offload-sim-run` on its worker (`jobs` is ignored,
        `timeout` bounds each run); a failed run raises dask_runner.ClusterRunError naming point and method."""
        if scheduler is not None:
            from . import dask_runner
            return dask_runner.run_on_cluster(self, scheduler, out_dir=out_dir, timeout=timeout)
        self.validate()
        keep = out_dir is not None
        out = Path(out_dir) if keep else Path(tempfile.mkdtemp(prefix="offloadsim-"))
        try:
            out.mkdir(parents=True, exist_ok=True)
            toml_path = out / "scenario.toml"
            toml_path.write_text(self.to_toml())
            cmd = [str(_paths.tool("offload")), "sim", str(toml_path), "--out", str(out), "--quiet"]
            if jobs:
                cmd += ["--jobs", str(int(jobs))]
            returncode, stderr = _run_offload_sim(cmd, timeout)
            if returncode != 0:
                message = stderr.strip().removeprefix("offload: ")
                raise RuntimeError(f"offload sim failed ({returncode}): {message}")
            with open(out / "results.json") as f:
                records = json.load(f)
        finally:
            if not keep:
                shutil.rmtree(out, ignore_errors=True)
        return Results(records, out if keep else None)

    def __repr__(self):
        return f"Scenario({self.name!r} from {self.source})"
