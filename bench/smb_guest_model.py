"""SMB in the guest beside the SMB model: reads the serial log of
bench/smb_guest_bench.sh (smb_guest_test's OFFLOAD-SMB-RESULT lines after
each OFFLOAD-SMB-RATE marker), counts each copy's SMB2 sends, fits the
guest scenario's three knobs on the first rate (the link rate on the host
copy; the time of one exchange and of one XFS remap on copychunk and
duplicate extents, which run one request at a time) and predicts the other
rates. Prints the table and writes OUT/smb-guest-model-vs-real.json (kind
"guest-model-vs-real", read by `offload report`).
"""
import argparse
import json
import os
import re
import statistics
import sys

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from guest_sim import simulate_scenario  # noqa: E402

# Measured case -> simulator method.
METHODS = {"host": "host", "kernel-copy": "kernel-copy", "clone": "clone"}
# The SMB2 commands that start a send of their own (a CREATE carries its
# compounded QUERY_INFO and CLOSE; /proc/fs/cifs/Stats labels).
SEND_LABELS = ("Creates", "IOCTLs", "SetInfos", "Flushes", "Reads", "Writes")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--log", required=True, help="serial.log of the SMB guest run")
    p.add_argument("--offload", required=True, help="the offload program (offload sim)")
    p.add_argument("--out", required=True, help="directory for smb-guest-model-vs-real.json and the scenarios")
    return p.parse_args()


def read_records(log_path):
    """[{rate, method, bytes, seconds, sends, packets, wire_bytes, requests}] of the done, verified copies."""
    rate, records = None, []
    for line in open(log_path, errors="replace"):
        if m := re.match(r"^OFFLOAD-SMB-RATE (\S+)", line):
            rate = m.group(1)
        elif line.startswith("OFFLOAD-SMB-RESULT ") and rate:
            result = json.loads(line.split(" ", 1)[1])
            for name, c in result["cases"].items():
                if name in METHODS and c["state"] == "done" and c["verified"]:
                    records.append({"rate": rate, "method": name, "bytes": result["file_bytes"],
                                    "seconds": c["seconds"], "requests": c["requests"],
                                    "sends": sum(c["requests"].get(k, 0) for k in SEND_LABELS),
                                    "packets": c.get("wire_packets", 0), "wire_bytes": c["wire_bytes"]})
    return records


def scenario(size, knobs, link_Bps, latency_s=0.0):
    """The guest as one client, ksmbd on XFS and one link; knobs: exchange_s, remap_s.
    One host chunk at a time: shaped to R per direction, the guest's host copy
    took 2 x size / R (50 Mbit/s: 20.2-23.1 s for 64 MiB, 10.7 s each way),
    its READs and WRITEs never overlapping (the engine keeps 8 in flight; the
    client likely holds the WRITEs in its cache under a lease until the fsync)."""
    return f"""[scenario]
name = "smb-guest-model"
description = "the SMB guest's copies: ksmbd on XFS, the cifs client over a veth pair"
network_model = "CM02"
methods = ["host", "kernel-copy", "clone"]
[engine]
queue_depth = 1   # the guest's host copy takes its two directions one after the other (see below)
host_chunk = "4MiB"
kernel_copy_chunk = "64MiB"
[[host]]
name = "client"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[smb_server]]
name = "guest"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = {{ read = "1PBps", write = "1PBps" }}
fs = {{ reflink = true, copy_range_reflinks = true, clone_fixed_cpu = "{knobs['remap_s'] * 1e6:.6g}us", clone_cpu_per_GiB = "0s" }}
copy = {{ request_cpu = "{knobs['exchange_s'] * 1e6:.6g}us" }}   # one exchange, all of it (client, TCP, ksmbd) under TCG
[[link]]
name = "veth"
bandwidth = "{link_Bps:.6g}Bps"
latency = "{latency_s * 1e3:.6g}ms"
between = ["client", "guest"]
[[copy]]
on = "client"
from = "guest:/xfs/src"
to = "guest:/xfs/dst"
size = {size}
"""


def simulate(offload, work, text):
    """{method: run record} of one scenario (written to WORK/scenario.toml)."""
    os.makedirs(work, exist_ok=True)
    return {run["method"]: run for run in simulate_scenario(offload, work, "scenario", text, "smb_guest_model")}


def seconds(run):
    return run["copies"][0]["latency_s"]


def fit(offload, work, size, measured):
    """Knobs from the first rate's medians: exchange_s and remap_s solve the
    two one-request-at-a-time copies exactly (time = exchanges x exchange_s +
    remaps x remap_s + bytes / link), then the link rate is bisected until the
    simulated host copy takes its measured time."""
    probe = simulate(offload, os.path.join(work, "probe"), scenario(size, {"exchange_s": 1e-3, "remap_s": 1e-3}, 1e12))
    counts = {}
    for method in ("kernel-copy", "clone"):
        c = probe[method]["metrics"]["smb"]["guest"]
        # Each round trip costs one exchange time, whether it carries a metadata exchange or a CLOSE alone.
        metadata = max(c["metadata"], c.get("metadata_round_trips", 0))
        counts[method] = (metadata + c["resume_key"] + c["copychunk"] + c["duplicate_extents"],
                          c["chunks"] + c["duplicate_extents"])
    a = numpy.array([counts["kernel-copy"], counts["clone"]], dtype=float)
    b = numpy.array([measured["kernel-copy"], measured["clone"]])
    exchange_s, remap_s = numpy.linalg.solve(a, b)
    if exchange_s <= 0 or remap_s < 0:  # noise beyond the remaps' share (8 MiB: 8 remaps): exchanges alone, least squares
        exchange_s, remap_s = float(a[:, 0] @ b / (a[:, 0] @ a[:, 0])), 0.0
    knobs = {"exchange_s": float(exchange_s), "remap_s": float(remap_s)}
    low, high = 1e5, 1e11  # bytes/s
    for _ in range(25):
        middle = (low * high) ** 0.5
        host = seconds(simulate(offload, os.path.join(work, "fit"), scenario(size, knobs, middle))["host"])
        low, high = (middle, high) if host > measured["host"] else (low, middle)
    knobs["link_Bps"] = (low * high) ** 0.5
    return knobs, counts


def rate_Bps(rate):
    """tc's rate as bytes/s (None: unthrottled)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(k|m|g)bit", rate)
    return float(m.group(1)) * {"k": 1e3, "m": 1e6, "g": 1e9}[m.group(2)] / 8 if m else None


def delay_s(rate):
    """netem's added one-way delay in seconds ("delay50ms"; 0 for a rate or unthrottled)."""
    m = re.fullmatch(r"delay(\d+(?:\.\d+)?)(us|ms|s)", rate)
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)] if m else 0.0


def read_statfs(log_path):
    """{rate: seconds per statfs(2) on the share} (the OFFLOAD-SMB-STATFS lines: count, seconds)."""
    rate, per_call = None, {}
    for line in open(log_path, errors="replace"):
        if m := re.match(r"^OFFLOAD-SMB-RATE (\S+)", line):
            rate = m.group(1)
        elif (m := re.match(r"^OFFLOAD-SMB-STATFS (\d+) (\S+)", line)) and rate:
            per_call[rate] = float(m.group(2)) / int(m.group(1))
    return per_call


def round_trips_waited(rates, median):
    """[{method, rate, added_rtt_s, added_s, round_trips}]: each delay's added time
    over its added round trip (twice the delay, netem on both ends), against the first rate."""
    rows = []
    for rate in rates[1:]:
        added_rtt = 2 * delay_s(rate)
        if added_rtt <= 0:
            continue
        for method in METHODS:
            added = median[(method, rate)] - median[(method, rates[0])]
            rows.append({"method": method, "rate": rate, "added_rtt_s": added_rtt, "added_s": added,
                         "round_trips": added / added_rtt})
    return rows


def main():
    args = parse_args()
    records = read_records(args.log)
    if not records:
        print(f"smb_guest_model: FAIL: no verified copies in {args.log}")
        return 1
    rates = list(dict.fromkeys(r["rate"] for r in records))
    size = records[0]["bytes"]
    groups = {}
    for r in records:
        groups.setdefault((r["method"], r["rate"]), []).append(r)
    missing = [f"{m} at {rate}" for rate in rates for m in METHODS if (m, rate) not in groups]
    if missing:
        print(f"smb_guest_model: FAIL: no verified copy for {', '.join(missing)}")
        return 1
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in groups.items()}
    work = os.path.join(args.out, "model")
    knobs, counts = fit(args.offload, work, size, {m: median[(m, rates[0])] for m in METHODS})
    rows = []
    for rate in rates:
        nominal = rate_Bps(rate)
        link = min(knobs["link_Bps"], nominal) if nominal else knobs["link_Bps"]
        sim = simulate(args.offload, os.path.join(work, rate), scenario(size, knobs, link, delay_s(rate)))
        for method in METHODS:
            got = [r["seconds"] for r in groups[(method, rate)]]
            run = sim[METHODS[method]]
            c = run["metrics"]["smb"]["guest"]
            model_sends = c["metadata"] + c["resume_key"] + c["copychunk"] + c["duplicate_extents"] + c["read"] + c["write"]
            real = groups[(method, rate)]
            rows.append({"method": method, "rate": rate, "bytes": size, "measured_s": median[(method, rate)],
                         "spread_low_s": min(got), "spread_high_s": max(got), "repetitions": len(got),
                         "simulated_s": seconds(run), "error_pct": 100 * (seconds(run) / median[(method, rate)] - 1),
                         "in_spread": min(got) <= seconds(run) <= max(got), "held_out": rate != rates[0],
                         "sends_measured": statistics.median(r["sends"] for r in real),
                         "packets_measured": statistics.median(r["packets"] for r in real),
                         "sends_simulated": model_sends})
    held = [abs(r["error_pct"]) for r in rows if r["held_out"]]
    trips = round_trips_waited(rates, median)
    statfs = read_statfs(args.log)
    result = {"rows": rows, "round_trips_waited": trips, "statfs_s": statfs, "held_out_points": len(held),
              "held_out_median_abs_error_pct": statistics.median(held) if held else None,
              "calibration": {"knobs": {
                  "link_Bps": {"value": knobs["link_Bps"], "meaning": "the host copy's link rate at the first rate (TCG moves less than the veth's nominal rate)"},
                  "exchange_s": {"value": knobs["exchange_s"], "meaning": "one SMB2 exchange, client to ksmbd and back, under TCG (request_cpu)"},
                  "remap_s": {"value": knobs["remap_s"], "meaning": "ksmbd's XFS remap per copychunk chunk or duplicate extents (clone_fixed_cpu)"}},
                  "on_bound": []}}
    report = {"kind": "guest-model-vs-real", "command": "bench/smb_guest_bench.sh BUILD " + " ".join(sys.argv[1:]),
              "sizes": [f"{size} B"], "rates": rates, "repeat": max(len(v) for v in groups.values()), "split": "rate",
              "scenario_note": "The SMB scenario (bench/smb_guest_model.py) sends every exchange the client does "
                               "(the SMB model's counts, within 3 of the guest's /proc/fs/cifs/Stats) and times "
                               "each as one fitted exchange time",
              "emulation": "QEMU TCG, one vCPU: ksmbd and the cifs client in one guest, over a veth pair",
              "paths": {"smb": result}, "records": {"smb": records}}
    out = os.path.join(args.out, "smb-guest-model-vs-real.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"fitted on {rates[0]}: link {knobs['link_Bps'] / 1e6:.2f} MB/s, one exchange {knobs['exchange_s'] * 1e3:.2f} ms, "
          f"one remap {knobs['remap_s'] * 1e3:.2f} ms; the model's exchanges (metadata + FSCTLs) and remaps: "
          + ", ".join(f"{m} {e:.0f} + {k:.0f}" for m, (e, k) in counts.items()))
    print(f"{'method':12} {'rate':12} {'measured s':>10} {'spread s':>15} {'sim s':>8} {'error':>8} "
          f"{'sends':>6} {'sim':>5} {'packets':>8}  held out")
    for r in rows:
        print(f"{r['method']:12} {r['rate']:12} {r['measured_s']:10.3f} {r['spread_low_s']:7.3f}..{r['spread_high_s']:<7.3f} "
              f"{r['simulated_s']:8.3f} {r['error_pct']:+7.1f}% {r['sends_measured']:6.0f} {r['sends_simulated']:5.0f} "
              f"{r['packets_measured']:8.0f}  {'yes' if r['held_out'] else 'fit'}")
    if held:
        print(f"median absolute error over {len(held)} held-out points: {statistics.median(held):.1f} %")
    for rate, per_call in statfs.items():
        added = 2 * delay_s(rate)
        waited = f", {(per_call - statfs[rates[0]]) / added:.1f} round trips" if added > 0 and rates[0] in statfs else ""
        print(f"statfs(2) on the share at {rate}: {per_call * 1e3:.1f} ms{waited}")
    for t in trips:
        print(f"round trips waited: {t['method']:12} {t['rate']:12} +{t['added_s'] * 1e3:8.1f} ms over "
              f"+{t['added_rtt_s'] * 1e3:.0f} ms round trip = {t['round_trips']:.1f}")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
