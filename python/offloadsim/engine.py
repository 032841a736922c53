"""The real engine from Python: `copy` is submit + wait on a private Engine."""
import errno

from ._offloadsim import Engine, OffloadError


def copy(src, dst, method="auto", atomic=False, overwrite=False, **engine_options):
    """Copy file `src` to `dst` with the real engine and wait; returns the final status dict
    (the keys of `offload cp --json`). `engine_options` go to Engine (queue_depth, copy_depth,
    host_chunk in bytes). Raises OffloadError (errno, filename, strerror) when the copy cannot
    start or fails."""
    with Engine(**engine_options) as engine:
        cookie = engine.submit(str(src), str(dst), method=method, atomic=atomic, overwrite=overwrite)
        status = engine.wait(cookie)
    if status["state"] != "done":
        e = status.get("error") or {"errno": "", "message": status["state"], "path": str(dst)}
        raise OffloadError(getattr(errno, e["errno"], 0), e["message"], e["path"])  # "EEXIST" -> errno.EEXIST
    return status
