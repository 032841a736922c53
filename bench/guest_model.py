"""The guests as simulator scenarios: one per path (NFS, SCSI over iSCSI)
built from what the guest measured (probes: memcpy, TCP over the veth pair
at each rate, the disk's direct-I/O rates) and a few fitted knobs, run
through `offload sim`. calibrate() fits the knobs on some points by bounded
least squares (scipy's trust-region reflective) of log(simulated /
measured median); the other points are then predicted as held out.
"""
import json
import math
import os
import statistics
import subprocess

from scipy.optimize import least_squares

# Fitted knobs per path: (name, start, lower bound, upper bound, what it stands for).
KNOBS = {
    "nfs": [
        ("client_stack_factor", 10.0, 1.0, 1000.0,
         "NFS client CPU per byte, as a multiple of the guest's memcpy cost (RPC, TCP and page cache in TCG)"),
        ("server_stack_factor", 10.0, 1.0, 1000.0,
         "nfsd CPU per byte (READ/WRITE and the COPY's page-cache copy), as a multiple of memcpy cost"),
        ("server_per_op_s", 1e-3, 1e-6, 0.2, "nfsd CPU per RPC, seconds"),
    ],
    "scsi": [
        ("client_stack_factor", 10.0, 1.0, 1000.0,
         "initiator CPU per byte (libiscsi, TCP), as a multiple of the guest's memcpy cost"),
        ("backend_slowdown", 2.0, 1.0, 1000.0,
         "LIO's back end (fileio, page cache, its copy loop) against the disk's direct-I/O rates"),
        ("target_per_op_s", 1e-3, 1e-6, 0.2, "LIO CPU per command, seconds"),
    ],
}
# Sim method per measured method, and the copy_file_range chunk that picks the NFS COPY mode.
SIM_METHOD = {"host": "host", "nfs-copy-sync": "nfs-copy-sync", "nfs-copy-async": "nfs-copy-async",
              "scsi-xcopy": "xcopy"}


def measured_points(records, path):
    """{(method, rate, bytes): {median_s, low_s, high_s, n}} of the done copies."""
    groups = {}
    for r in records:
        if r.get("kind") == "copy" and r["path"] == path and r["state"] == "done":
            # iSCSI: the login and discovery at submit are left out (the model has no session set-up).
            seconds = r["seconds"] - (r.get("open_seconds", 0) if path == "iscsi" else 0)
            groups.setdefault((r["method"], r["rate"], r["bytes"]), []).append(seconds)
    return {k: {"median_s": statistics.median(v), "low_s": min(v), "high_s": max(v), "n": len(v)}
            for k, v in groups.items()}


def inputs(records):
    """Model inputs from the probes: per rate the link (mean TCP rate of both
    directions, half the ping-pong time), and the guest's memcpy and disk rates."""
    probes = [r for r in records if r.get("kind") == "probe"]
    if not probes:
        raise ValueError("no probe records: the guest measured no model inputs")
    link = {p["rate"]: {"bandwidth_Bps": (p["tcp_to_server_Bps"] + p["tcp_to_client_Bps"]) / 2,
                        "latency_s": p["tcp_round_trip_s"] / 2} for p in probes}
    disk = next(p for p in probes if "disk_read_Bps" in p)
    mounts = [r for r in records if r.get("kind") == "nfs-mount"]
    return {"link": link, "memcpy_Bps": statistics.mean(p["memcpy_Bps"] for p in probes),
            "disk_read_Bps": disk["disk_read_Bps"], "disk_write_Bps": disk["disk_write_Bps"],
            "sync_chunk": mounts[0]["sync_chunk"] if mounts else None,
            "rsize": mounts[0]["rsize"] if mounts else None}


def _rate(bytes_per_s):
    return f'"{bytes_per_s:.6g}Bps"'


def _time(seconds):
    return f'"{seconds * 1e6:.6g}us"'


def _platform_nfs(inp, knobs, rate):
    link = inp["link"][rate]
    memcpy = inp["memcpy_Bps"]
    return f"""
[[host]]
name = "client"
cores = 2                        # the guest's vCPUs (shared with the server in reality: one guest)
memcpy_bandwidth = {_rate(memcpy / knobs["client_stack_factor"])}   # measured memcpy / client_stack_factor
stack = {{ send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }}   # the fitted stack factors carry the stack CPU
per_op_cpu = "20us"

[[nfs_server]]
name = "filer"
cores = 2
memcpy_bandwidth = {_rate(memcpy / knobs["server_stack_factor"])}   # measured memcpy / server_stack_factor
stack = {{ send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }}   # the fitted stack factors carry the stack CPU
per_op_cpu = {_time(knobs["server_per_op_s"])}
disk = {{ read = {_rate(inp["disk_read_Bps"])}, write = {_rate(inp["disk_write_Bps"])}, latency = "100us" }}   # O_DIRECT on the export
copy = {{ sync_cap = "4MiB", max_async = 4, clone = false }}   # nfsd: 4 MiB per sync COPY; 4 threads (rpc.nfsd 4)

[[link]]
name = "veth"
bandwidth = {_rate(link["bandwidth_Bps"])}   # TCP over the veth pair at '{rate}', mean of both directions
latency = {_time(link["latency_s"])}          # half the 64-byte TCP ping-pong
between = ["client", "filer"]
"""


def _platform_scsi(inp, knobs, rate):
    link = inp["link"][rate]
    slow = knobs["backend_slowdown"]
    return f"""
[[host]]
name = "client"
cores = 2
memcpy_bandwidth = {_rate(inp["memcpy_Bps"] / knobs["client_stack_factor"])}   # measured memcpy / client_stack_factor
stack = {{ send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }}   # the fitted stack factors carry the stack CPU
per_op_cpu = "20us"

[[scsi_array]]
name = "lio"
cores = 2
stack = {{ send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }}   # the fitted stack factors carry the stack CPU
per_op_cpu = {_time(knobs["target_per_op_s"])}
disk = {{ read = {_rate(inp["disk_read_Bps"] / slow)}, write = {_rate(inp["disk_write_Bps"] / slow)}, latency = "100us" }}   # O_DIRECT rates / backend_slowdown
block_size = 512
copy = {{ xcopy = true, odx = false, max_segment = "256MB", max_concurrent = 1, command_cpu = {_time(knobs["target_per_op_s"])} }}

[[link]]
name = "veth"
bandwidth = {_rate(link["bandwidth_Bps"])}   # TCP over the veth pair at '{rate}', mean of both directions
latency = {_time(link["latency_s"])}
between = ["client", "lio"]
"""


def scenario(path, inp, knobs, rate, methods, sizes):
    """Scenario text for one path, rate and method group (one [engine] each)."""
    sweep = json.dumps(sizes)
    if path == "nfs":
        chunk = inp["sync_chunk"] if methods == ["nfs-copy-sync"] else 64 << 20
        head = f'[engine]\nqueue_depth = 8\nhost_chunk = "4MiB"\nkernel_copy_chunk = {chunk}   # the guest\'s copy_file_range chunk\n'
        platform, source, target = _platform_nfs(inp, knobs, rate), "filer:/src", "filer:/dst"
    else:
        head = '[engine]\nqueue_depth = 8\nhost_chunk = "4MiB"\ndevice_chunk = "256MiB"\n'
        platform, source, target = _platform_scsi(inp, knobs, rate), "lio:lun0", "lio:lun1"
    return f"""[scenario]
name = "guest-{path}-{rate}"
description = "the {path} copies measured in the QEMU guest (TCG) at link rate {rate}"
seed = 1
network_model = "CM02"           # closed form: the latency and bandwidth as measured, no TCP factors
methods = {json.dumps([SIM_METHOD[m] for m in methods])}

{head}{platform}
[[copy]]
on = "client"
from = "{source}"
to = "{target}"
size = {sizes[0]}

[sweep]
"copy.1.size" = {sweep}
"""


def simulate(offload, work, text):
    """{(sim method, bytes): seconds} of one scenario text."""
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "scenario.toml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(work, "sim")
    proc = subprocess.run([offload, "sim", path, "--out", out, "--quiet"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"offload sim {path}: {proc.stderr.strip()}")
    with open(os.path.join(out, "results.json")) as f:
        return {(run["method"], run["copies"][0]["size_bytes"]): run["copies"][0]["latency_s"] for run in json.load(f)}


def method_groups(path, methods):
    if path == "nfs":  # the sync COPY needs its own copy_file_range chunk
        return [g for g in ([m for m in methods if m != "nfs-copy-sync"], [m for m in methods if m == "nfs-copy-sync"]) if g]
    return [methods]


def simulate_points(offload, work, path, inp, knobs, points):
    """Simulated seconds for each (method, rate, bytes) in `points`."""
    result = {}
    for rate in sorted({p[1] for p in points}):
        for group in method_groups(path, sorted({p[0] for p in points if p[1] == rate})):
            sizes = sorted({p[2] for p in points if p[1] == rate and p[0] in group})
            sim = simulate(offload, os.path.join(work, f"{rate}-{len(group)}"), scenario(path, inp, knobs, rate, group, sizes))
            for m in group:
                for s in sizes:
                    result[(m, rate, s)] = sim[(SIM_METHOD[m], s)]
    return result


def start_values(path, inp, measured):
    """First guesses from the largest fitted copies, each as if one resource
    bound it (the fit starts where every knob moves some point; a knob whose
    resource bounds nothing has no gradient)."""
    def median_of(method):
        points = [(p[2], v["median_s"]) for p, v in measured.items() if p[0] == method]
        return max(points) if points else (None, None)
    memcpy, guess = inp["memcpy_Bps"], {}
    size, host_s = median_of("host")
    if size:  # the client's CPU moves every byte twice (in, out), on one core of the copy's two
        guess["client_stack_factor"] = host_s * memcpy / (2 * size)
    if path == "nfs":
        size, async_s = median_of("nfs-copy-async")
        if size:
            guess["server_stack_factor"] = async_s * memcpy / size
        sync_size, sync_s = median_of("nfs-copy-sync")
        if sync_size and async_s and inp["sync_chunk"]:  # what a sync COPY costs beyond the data, 2 in flight
            calls = sync_size / inp["sync_chunk"]
            guess["server_per_op_s"] = max(1e-5, 2 * (sync_s - async_s * sync_size / size) / calls)
    else:
        size, xcopy_s = median_of("scsi-xcopy")
        if size:
            guess["backend_slowdown"] = xcopy_s / (size / inp["disk_read_Bps"] + size / inp["disk_write_Bps"])
    return guess


def calibrate(offload, work, path, inp, measured, fit_points, max_evaluations=40):
    """Fits KNOBS[path] on fit_points; returns (knobs, report)."""
    spec = KNOBS[path]
    guess = start_values(path, inp, measured)
    names = [k[0] for k in spec]
    evaluations = [0]

    def residuals(x):
        knobs = dict(zip(names, (math.exp(v) for v in x)))
        evaluations[0] += 1
        sim = simulate_points(offload, os.path.join(work, "fit"), path, inp, knobs, fit_points)
        return [math.log(sim[p] / measured[p]["median_s"]) for p in fit_points]

    start = [math.log(min(max(guess.get(k[0], k[1]), k[2] * 1.01), k[3] / 1.01)) for k in spec]
    lower, upper = [math.log(k[2]) for k in spec], [math.log(k[3]) for k in spec]
    first = residuals(start)
    fit = least_squares(residuals, start, bounds=(lower, upper), diff_step=0.05, x_scale=1.0, max_nfev=max_evaluations)
    knobs = dict(zip(names, (math.exp(v) for v in fit.x)))
    on_bound = [n for n, v, lo, hi in zip(names, fit.x, lower, upper) if min(v - lo, hi - v) < 1e-3]
    rms = lambda r: 100 * math.sqrt(sum((math.exp(v) - 1) ** 2 for v in r) / len(r))
    return knobs, {"knobs": {n: {"value": knobs[n], "bounds": [k[2], k[3]], "meaning": k[4]} for n, k in zip(names, spec)},
                   "on_bound": on_bound, "rms_error_pct_before": rms(first), "rms_error_pct_after": rms(fit.fun),
                   "start": {n: math.exp(v) for n, v in zip(names, start)}, "simulations": evaluations[0]}


def rows(measured, simulated, fit_points):
    """Table rows: measured median and spread, simulated, error; held out or fit."""
    table = []
    for p in sorted(measured, key=lambda p: (p[1] != "unthrottled", p[1], p[0], p[2])):
        m, sim = measured[p], simulated[p]
        table.append({"method": p[0], "rate": p[1], "bytes": p[2], "measured_s": m["median_s"],
                      "spread_low_s": m["low_s"], "spread_high_s": m["high_s"], "repetitions": m["n"],
                      "simulated_s": sim, "error_pct": 100 * (sim / m["median_s"] - 1),
                      "in_spread": m["low_s"] <= sim <= m["high_s"], "held_out": p not in fit_points})
    return table
