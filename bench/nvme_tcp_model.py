#!/usr/bin/python3
"""Model vs real for the host copy over the NVMe/TCP guest's fabric.

Fits the guest's copy CPU (`memcpy_bandwidth` of bench/nvme-tcp-guest-fit.toml)
to the unthrottled block-node medians of bench/nvme-tcp-guest.json (relative
least squares of simulated + intercept vs measured, golden-section search
on log rate), then predicts the 1 Gbit/s and 100 Mbit/s rows with the same
constants and prints measured vs predicted. The intercept (the guest's
per-copy fixed cost: process start, open, Identify under TCG) is the
measured line's, added to every simulated time.

Usage: bench/nvme_tcp_model.py BUILD_DIR [MEASURED_JSON] [--smoke]
--smoke (CI): a coarser search (6 steps instead of 14); exits 1 when the
fitted rows' median error exceeds 50 % (the fit or the model broke).
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RATES = {"unthrottled": "10Gbps", "1gbit": "1Gbps", "100mbit": "100Mbps"}


def simulate(offload, scenario_text, work):
    path = os.path.join(work, "fit.toml")
    with open(path, "w") as f:
        f.write(scenario_text)
    out = os.path.join(work, "out")
    subprocess.run([offload, "sim", path, "-o", out, "-q"], check=True, stdout=subprocess.DEVNULL)
    times = {}
    for run in json.load(open(os.path.join(out, "results.json"))):  # one record per run
        point = run["point"]
        times[(int(point["copy.1.size"]), point["link.veth.bandwidth"])] = run["copies"][0]["latency_s"]
    return times


def main():
    smoke = "--smoke" in sys.argv[1:]
    positional = [a for a in sys.argv[1:] if a != "--smoke"]
    build = positional[0]
    measured_path = positional[1] if len(positional) > 1 else os.path.join(HERE, "nvme-tcp-guest.json")
    measured = {(r["rate"], r["size_bytes"]): r["median_s"] for r in json.load(open(measured_path))["records"]
                if r["node"] == "block" and r["method"] == "host"}
    sizes = sorted({s for _, s in measured})
    base = open(os.path.join(HERE, "nvme-tcp-guest-fit.toml")).read()
    base = re.sub(r'"copy.1.size" = \[.*\]', '"copy.1.size" = [' + ", ".join(str(s) for s in sizes) + "]", base)
    # The measured line's intercept (relative least squares on the unthrottled rows).
    xs = [(s, measured[("unthrottled", s)]) for s in sizes]
    sw = sum(1 / t**2 for _, t in xs); sx = sum(s / t**2 for s, t in xs); sxx = sum(s * s / t**2 for s, t in xs)
    sy = sum(1 / t for _, t in xs); sxy = sum(s / t for s, t in xs)
    slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx)
    intercept = (sy - slope * sx) / sw
    with tempfile.TemporaryDirectory() as work:
        def error(log_rate):
            text = re.sub(r'memcpy_bandwidth = "[^"]*"', f'memcpy_bandwidth = "{math.exp(log_rate):.6g}Bps"', base)
            times = simulate(os.path.join(build, "offload"), text, work)
            return sum(math.log((intercept + times[(s, "10Gbps")]) / measured[("unthrottled", s)]) ** 2 for s in sizes), times
        lo, hi = math.log(5e6), math.log(5e9)
        g = (math.sqrt(5) - 1) / 2
        for _ in range(6 if smoke else 14):
            a, b = hi - g * (hi - lo), lo + g * (hi - lo)
            if error(a)[0] < error(b)[0]:
                hi = b
            else:
                lo = a
        rate = math.exp((lo + hi) / 2)
        _, times = error((lo + hi) / 2)
    print(f"fitted on the unthrottled rows: memcpy_bandwidth {rate / 1e6:.1f} MB/s, intercept {intercept * 1e3:.1f} ms")
    print(f"{'link':12} {'size':>8} {'measured s':>11} {'predicted s':>12} {'error':>8}  role")
    errors, fitted = [], []
    for rate_name, bandwidth in RATES.items():
        for s in sizes:
            m = measured[(rate_name, s)]
            p = intercept + times[(s, bandwidth)]
            e = p / m - 1
            role = "fitted" if rate_name == "unthrottled" else "predicted"
            (errors if role == "predicted" else fitted).append(abs(e))
            print(f"{rate_name:12} {s / 1048576:>6.0f}Mi {m:>11.3f} {p:>12.3f} {e * 100:>+7.1f}%  {role}")
    errors.sort()
    print(f"median absolute error of the predicted rows: {errors[len(errors) // 2] * 100:.1f} %")
    fitted.sort()
    if fitted[len(fitted) // 2] > 0.5:
        print(f"FAIL: the fitted rows' median error is {fitted[len(fitted) // 2] * 100:.0f} % (over 50 %)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
