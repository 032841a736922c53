"""offloadsim.advise: `offload advise --json` as a pandas DataFrame.

    df = offloadsim.advise("/data/image.raw", "/backup/", size="400GiB")
    df[["method", "predicted_s", "rms_relative_error"]]
    df.attrs["recommended"], df.attrs["reason"]        # "clone", "clone: metadata-only on xfs, ..."
    df.attrs["probe"]["findings"]                       # every probe result and how it was found

The same program answers (probe, calibration profile, one simulation per
method); a bad path, option or profile raises ValueError with its message.
"""
import json
import subprocess

import pandas as pd

from ._paths import tool


def advise(source, destination, size=None, queue_depth=8, profile=None, verify=False, repeat=3, link_rate=None,
           server_disk=None, round_trip=None):
    """One row per simulated method (predicted_s, throughput_Bps, client_cpu_s,
    user_space_bytes, link_bytes, energy_J (joules over the copy; energy_J_by_part
    splits them into client, server and network), rms_relative_error, recommended; with
    verify=True also measured_s, measured_cpu_s, measured_outcome). The rest
    of the answer is in .attrs: recommended, reason, probe, profile,
    left_out, size_bytes, queue_depth, scenario (and verify; on an NFS mount
    remote). link_rate ("1Gbps"), server_disk ("500MBps") and round_trip
    ("2ms") set the NFS or SMB link's rate, the server's disk rate and one
    request's round trip instead of the probed link, the assumed disk and
    the probed round trip."""
    args = [str(tool("offload")), "advise", str(source), str(destination), "--json", "--queue-depth", str(queue_depth)]
    if size is not None:
        args += ["--size", str(size)]
    if profile is not None:
        args += ["--profile", str(profile)]
    if verify:
        args += ["--verify", "--repeat", str(repeat)]
    if link_rate is not None:
        args += ["--link-rate", str(link_rate)]
    if server_disk is not None:
        args += ["--server-disk", str(server_disk)]
    if round_trip is not None:
        args += ["--round-trip", str(round_trip)]
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode == 2:
        raise ValueError(done.stderr.strip().removeprefix("offload advise: ").removeprefix("offload: "))
    if done.returncode != 0:
        raise RuntimeError(f"offload advise failed (exit {done.returncode}): {done.stderr.strip()}")
    answer = json.loads(done.stdout)
    df = pd.DataFrame(answer["methods"])
    for key, value in answer.items():
        if key != "methods":
            df.attrs[key] = value
    return df
