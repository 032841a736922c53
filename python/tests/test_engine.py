"""The real engine through the Python module: copies, errors, timeouts, cancel."""
import errno
import threading

import pytest

import offloadsim


def write(path, size, pattern=b"offload-"):
    data = (pattern * (size // len(pattern) + 1))[:size]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("method", ["host", "auto"])
def test_copy_verified_with_status(tmp_path, method):
    data = write(tmp_path / "src", 3 * 1048576 + 17)
    engine = offloadsim.Engine(queue_depth=4, host_chunk=1 << 20)
    cookie = engine.submit(str(tmp_path / "src"), str(tmp_path / "dst"), method=method)
    assert isinstance(cookie, int)
    status = engine.wait(cookie)
    assert (tmp_path / "dst").read_bytes() == data
    assert status["state"] == "done" and status["error"] is None
    assert status["bytes_total"] == status["bytes_done"] == len(data)
    assert sum(status["bytes_by_method"].values()) == len(data)
    assert set(status["bytes_by_method"]) == {"clone", "scsi-xcopy", "scsi-odx", "kernel-copy", "host"}
    if method == "host":
        assert status["bytes_by_method"]["host"] == len(data) and status["methods_used"] == "host"
        assert status["fallbacks"] == []
    assert status["operations"] > 0 and status["seconds"] >= 0 and status["cpu_seconds"] >= 0
    assert status["source_fs"] and status["destination_fs"]
    assert engine.poll(cookie)["state"] == "done"
    assert engine.release(cookie)
    with pytest.raises(KeyError):
        engine.poll(cookie)


def test_copy_convenience(tmp_path):
    data = write(tmp_path / "a", 100000)
    status = offloadsim.copy(tmp_path / "a", tmp_path / "b", method="host", atomic=True)
    assert status["state"] == "done" and (tmp_path / "b").read_bytes() == data
    with pytest.raises(offloadsim.OffloadError) as e:  # the name is taken
        offloadsim.copy(tmp_path / "a", tmp_path / "b")
    assert e.value.errno == errno.EEXIST and e.value.filename == str(tmp_path / "b")


def test_missing_source_raises_offload_error(tmp_path):
    engine = offloadsim.Engine()
    missing = str(tmp_path / "missing")
    with pytest.raises(offloadsim.OffloadError) as e:
        engine.submit(missing, str(tmp_path / "dst"))
    assert isinstance(e.value, OSError)
    assert e.value.errno == errno.ENOENT and e.value.filename == missing and e.value.strerror
    assert not (tmp_path / "dst").exists()
    with pytest.raises(ValueError):
        engine.submit(missing, str(tmp_path / "dst"), method="teleport")


def test_wait_timeout_then_cancel_leaves_no_destination(tmp_path):
    write(tmp_path / "big", 64 << 20)
    engine = offloadsim.Engine(queue_depth=1, copy_depth=1, host_chunk=4096)
    cookie = engine.submit(str(tmp_path / "big"), str(tmp_path / "dst"), method="host")
    status = engine.wait(cookie, timeout=0.005)
    assert status["state"] in ("queued", "running")
    assert status["bytes_done"] < status["bytes_total"] == 64 << 20
    assert engine.cancel(cookie)
    status = engine.wait(cookie)
    assert status["state"] == "cancelled" and status["error"] is not None
    assert not (tmp_path / "dst").exists()
    assert not engine.cancel(cookie)


def test_wait_releases_the_gil(tmp_path):
    write(tmp_path / "big", 32 << 20)
    engine = offloadsim.Engine(queue_depth=1, copy_depth=1, host_chunk=4096)
    ticks, stop = [0], threading.Event()

    def spin():
        while not stop.is_set():
            ticks[0] += 1

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        cookie = engine.submit(str(tmp_path / "big"), str(tmp_path / "dst"), method="host")
        before = ticks[0]
        status = engine.wait(cookie)
        during = ticks[0] - before
    finally:
        stop.set()
        thread.join()
    assert status["state"] == "done"
    assert during > 1000  # the other thread ran while wait blocked
