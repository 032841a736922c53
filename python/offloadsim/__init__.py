"""offloadsim: the copy-offload engine and its simulator from Python.

    import sys; sys.path.insert(0, "/path/to/build/python")   # or PYTHONPATH=build/python
    import offloadsim
    status = offloadsim.copy("a", "b", method="auto")           # the real engine
    s = offloadsim.Scenario.from_file("scenarios/local-fs.toml")
    s.set("engine.queue_depth", 4)
    res = s.run()                                                # each simulation in its own process
    res.runs, res.copies, res.links, res.speedup("host")         # pandas DataFrames
    df = offloadsim.advise("big.img", "/backup/")                # each method predicted for a real path
"""
from ._offloadsim import Engine, OffloadError, ScenarioError, validate_scenario
from .advise import advise
from .engine import copy
from .results import Results
from .scenario import Scenario

__version__ = "0.1.0"
__all__ = ["Engine", "OffloadError", "ScenarioError", "validate_scenario", "advise", "copy", "Results", "Scenario"]
