"""Reading the report's inputs: which kind of results each JSON file holds."""
import json
from pathlib import Path


class ReportError(Exception):
    """A bad input: the message names the file."""


def _load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file or directory") from None
    except IsADirectoryError:
        raise ReportError(f"{path}: is a directory") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: cannot read: {e}") from None


def detect_kind(data):
    """'sim', 'compare', 'calibration' or 'benchmark' from a parsed JSON document, else None."""
    if isinstance(data, list) and data and all(isinstance(r, dict) and "method" in r and "summary" in r for r in data):
        return "sim"
    if isinstance(data, dict):
        if data.get("kind") == "offload-compare" and isinstance(data.get("rows"), list):
            return "compare"
        if data.get("kind") == "offload-calibration" and isinstance(data.get("rows"), list):
            return "calibration"
        if isinstance(data.get("benchmarks"), list) and isinstance(data.get("context", {}), dict):
            return "benchmark"
        if data.get("kind") == "guest-model-vs-real" and isinstance(data.get("paths"), dict):
            return "guest-model"
    return None


_EXPECTED = ("expected results.json of `offload sim` (an array of run records), the JSON of `offload compare` "
             "(kind \"offload-compare\"), validation.json of `offload calibrate` (kind \"offload-calibration\") "
             "or a Google Benchmark JSON (context + benchmarks)")


def load_input(arg):
    """[(path, kind, data)] for one command-line input (a directory may hold several)."""
    path = Path(arg)
    if not path.exists():
        raise ReportError(f"{arg}: no such file or directory")
    if path.is_dir():
        if (path / "results.json").is_file():
            return load_input(str(path / "results.json"))
        found = []
        for candidate in (sorted(path.glob("*/results.json")) + sorted(path.glob("*/validation.json"))
                          + sorted(path.glob("*.json"))):
            if not candidate.is_file():
                continue
            data = _load_json(candidate) if candidate.name == "results.json" else _try_json(candidate)
            kind = detect_kind(data)
            if kind:
                found.append((str(candidate), kind, data))
            elif candidate.name == "results.json":
                raise ReportError(f"{candidate}: not a simulation results file: {_EXPECTED}")
        if not found:
            raise ReportError(f"{arg}: no results.json and no recognised *.json in this directory ({_EXPECTED})")
        return found
    if not path.is_file():  # a FIFO or a device would block or never end
        raise ReportError(f"{arg}: not a regular file or a directory")
    data = _load_json(path)
    kind = detect_kind(data)
    if kind is None:
        if isinstance(data, list) and not data:
            raise ReportError(f"{arg}: no simulation runs (an empty array)")
        raise ReportError(f"{arg}: not a recognised results file: {_EXPECTED}")
    return [(str(path), kind, data)]


def _try_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None



def require(path, kind, items, keys, what):
    """ReportError naming the file when an item lacks one of `keys`."""
    for i, item in enumerate(items):
        missing = [k for k in keys if not isinstance(item, dict) or k not in item]
        if missing:
            raise ReportError(f"{path}: malformed {kind} results: {what} #{i + 1} lacks {', '.join(missing)}")
