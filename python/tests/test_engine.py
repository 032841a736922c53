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
    assert status["state"] == "done" and "error" not in status
    assert status["bytes_total"] == status["bytes_done"] == len(data)
    assert sum(status["bytes_by_method"].values()) == len(data)
    assert set(status["bytes_by_method"]) == {"clone", "scsi-xcopy", "scsi-odx", "nvme-copy", "kernel-copy", "host"}
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


def test_device_addresses_reach_the_device_targets(tmp_path):
    # NVMe namespace nodes go to the NVMe target (no such node here: ENOENT naming it) ...
    with pytest.raises(offloadsim.OffloadError) as e:
        offloadsim.Engine().submit("/dev/nvme97n1", "/dev/nvme97n1", method="nvme-copy", length=4096)
    assert e.value.errno == errno.ENOENT and e.value.filename == "/dev/nvme97n1"
    # ... and a namespace with a file is refused naming the file, as `offload cp` does.
    write(tmp_path / "a", 4096)
    with pytest.raises(offloadsim.OffloadError) as e:
        offloadsim.copy(tmp_path / "a", "/dev/ng97n1")
    assert e.value.errno == errno.EINVAL and e.value.filename == str(tmp_path / "a")
    assert "NVMe namespace" in e.value.strerror


# Only a hang reaches it.
HOLD_BOUND_S = 300


def test_wait_timeout_then_cancel_leaves_no_destination(tmp_path):
    write(tmp_path / "big", 16 << 20)
    engine = offloadsim.Engine(queue_depth=1, copy_depth=1, host_chunk=1 << 20)
    engine._hold_after(3)  # the map, a read, a write: then held in the middle
    cookie = engine.submit(str(tmp_path / "big"), str(tmp_path / "dst"), method="host")
    assert engine._wait_held(HOLD_BOUND_S), f"the copy was not held within {HOLD_BOUND_S} s: {engine.poll(cookie)}"
    status = engine.wait(cookie, timeout=0.005)
    assert status["state"] == "running"
    assert status["bytes_done"] == 1 << 20 and status["bytes_total"] == 16 << 20
    assert engine.cancel(cookie)
    engine._release()
    status = engine.wait(cookie)
    assert status["state"] == "cancelled" and status["error"]["errno"] == "ECANCELED"
    assert not (tmp_path / "dst").exists()
    assert not engine.cancel(cookie)


def test_wait_releases_the_gil(tmp_path):
    # The copy is held until another Python thread releases it: wait() can
    # only return "done" when it let that thread run.
    write(tmp_path / "big", 4 << 20)
    engine = offloadsim.Engine(queue_depth=1, copy_depth=1, host_chunk=1 << 20)
    engine._hold_after(3)
    cookie = engine.submit(str(tmp_path / "big"), str(tmp_path / "dst"), method="host")
    assert engine._wait_held(HOLD_BOUND_S), f"the copy was not held within {HOLD_BOUND_S} s"
    waiting = threading.Event()

    def releaser():
        waiting.wait()  # set just before wait(): this thread runs on once the main one lets go of the GIL
        engine._release()

    thread = threading.Thread(target=releaser)
    thread.start()
    try:
        waiting.set()
        status = engine.wait(cookie, timeout=HOLD_BOUND_S)
    finally:
        engine._release()
        thread.join()
    assert status["state"] == "done", f"wait returned {status['state']} after {HOLD_BOUND_S} s: it kept the GIL"
