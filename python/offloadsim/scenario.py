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
from ._offloadsim import ScenarioError, validate_scenario
from .results import Results


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

    def _locate(self, key, create):
        parts = key.split(".")
        if len(parts) < 2:
            raise KeyError(f"'{key}': expected SECTION.NAME.FIELD or SECTION.FIELD")
        if parts[0] not in self.data:
            raise KeyError(f"'{key}': no section '{parts[0]}' in the scenario")
        node, rest = self.data[parts[0]], parts[1:]
        if isinstance(node, list):
            matches = [t for i, t in enumerate(node) if t.get("name") == rest[0] or str(i + 1) == rest[0]]
            if not matches:
                raise KeyError(f"'{key}': no {parts[0]} named (or numbered) '{rest[0]}'")
            node, rest = matches[-1], rest[1:]
        if not rest:
            raise KeyError(f"'{key}': names no field")
        for part in rest[:-1]:
            if part not in node and create:
                node[part] = {}
            if not isinstance(node.get(part), dict):
                raise KeyError(f"'{key}': no table '{part}'")
            node = node[part]
        return node, rest[-1]

    def get(self, key):
        """The value at a sweep-style key ("link.lan.bandwidth", "engine.queue_depth", "copy.1.size")."""
        node, field = self._locate(key, create=False)
        if field not in node:
            raise KeyError(f"'{key}': no field '{field}'")
        return node[field]

    def set(self, key, value):
        """Set a parameter by sweep-style key (missing fields and inner tables are created); returns self."""
        node, field = self._locate(key, create=True)
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
        Local (default): `offload sim` runs `jobs` processes at once (default: cores); `timeout` bounds it all.
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
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
            if proc.returncode != 0:
                message = proc.stderr.strip().removeprefix("offload: ")
                raise RuntimeError(f"offload sim failed ({proc.returncode}): {message}")
            with open(out / "results.json") as f:
                records = json.load(f)
        finally:
            if not keep:
                shutil.rmtree(out, ignore_errors=True)
        return Results(records, out if keep else None)

    def __repr__(self):
        return f"Scenario({self.name!r} from {self.source})"
