"""Simulated vs real time on the remote paths, in the QEMU guests (TCG).
Measures host copy vs nfsd COPY (sync and async) over NFSv4.2 and host
read/write vs LIO EXTENDED COPY over iSCSI at each size and tc link rate
(bench/guest_runs.py), builds one scenario per path from the guests'
measured inputs (bench/guest_model.py), fits its knobs on part of the
points and predicts the rest. Writes OUT/guest-model-vs-real.json (read by
`offload report`) and prints the table. Run by bench/guest_model_vs_real.sh.
"""
import argparse
import json
import math
import os
import statistics
import sys

import guest_model
import guest_runs

RECORD_PATH = {"nfs": "nfs", "scsi": "iscsi"}
RUNNERS = {"nfs": guest_runs.run_nfs, "scsi": guest_runs.run_scsi}
# The methods of the example scenario kept in the JSON (one [engine]: the sync COPY needs another chunk).
EXAMPLE_METHODS = {"nfs": ["host", "nfs-copy-async"], "scsi": ["host", "scsi-xcopy"]}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default="build", help="build directory (offload, tests/guest_timing)")
    p.add_argument("--out", default="reports", help="directory for guest-model-vs-real.json")
    p.add_argument("--sizes", default="4MiB,16MiB,64MiB")
    p.add_argument("--rates", default="unthrottled,50mbit", help="tc tbf rates; 'unthrottled' = no qdisc")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--paths", default="nfs,scsi")
    p.add_argument("--split", choices=["rate", "reps"], default="rate",
                   help="rate: fit on the first rate, predict the others; reps: fit on even repetitions, predict odd")
    p.add_argument("--measured", help="reuse the measurements of an earlier JSON instead of booting the guests")
    p.add_argument("--smoke", action="store_true",
                   help="one size (4MiB), one rate (50mbit), 2 repetitions split fit/held out; checks the shaping")
    a = p.parse_args()
    if a.smoke:
        a.sizes, a.rates, a.repeat, a.split = "4MiB", "50mbit", 2, "reps"
    a.sizes, a.rates, a.paths = a.sizes.split(","), a.rates.split(","), a.paths.split(",")
    for path in a.paths:
        if path not in RUNNERS:
            p.error(f"--paths: '{path}' is not nfs or scsi")
    if a.repeat < 1 or (a.split == "reps" and a.repeat < 2):
        p.error("--repeat: at least 1 (2 with --split reps)")
    if a.split == "rate" and len(a.rates) < 2:
        p.error("--split rate needs two --rates at least (the first is fitted, the others predicted)")
    return a


def split_points(records, path, split, rates):
    """(fit, held) measured points: {(method, rate, bytes): median, spread, n}."""
    kind = RECORD_PATH[path]
    if split == "rate":
        fit = guest_model.measured_points([r for r in records if r.get("rate") == rates[0]], kind)
        held = guest_model.measured_points([r for r in records if r.get("rate") != rates[0]], kind)
    else:
        fit = guest_model.measured_points([r for r in records if r.get("rep", 0) % 2 == 0], kind)
        held = guest_model.measured_points([r for r in records if r.get("rep", 0) % 2 == 1], kind)
    return fit, held


def problems(records, path, rates):
    """Why the measurements cannot be trusted: failed or unverified copies, a rate tc did not hold."""
    found = [f"{r['method']} {r['bytes']} B at {r['rate']}: {r['state']} {r.get('error', '')}".strip()
             for r in records if r.get("kind") == "copy" and (r["state"] != "done" or r.get("verified") is False)]
    for probe in (r for r in records if r.get("kind") == "probe" and r["rate"].endswith("mbit")):
        nominal = float(probe["rate"][:-4]) * 1e6 / 8
        for key in ("tcp_to_server_Bps", "tcp_to_client_Bps"):
            if not 0.5 * nominal <= probe[key] <= 1.1 * nominal:
                found.append(f"{path}: TCP {key} {probe[key] / 1e6:.2f} MB/s under tbf {probe['rate']} "
                             f"({nominal / 1e6:.2f} MB/s): the shaping does not hold")
    for r in records:  # a host copy sends every byte over the shaped link, each direction once
        if r.get("kind") == "copy" and r["method"] == "host" and r["rate"].endswith("mbit") and r["state"] == "done":
            floor = r["bytes"] / (float(r["rate"][:-4]) * 1e6 / 8)
            if r["seconds"] < 0.95 * floor:
                found.append(f"{path}: host copy of {r['bytes']} B at {r['rate']} took {r['seconds']:.2f} s, "
                             f"less than the link allows ({floor:.2f} s): the copy did not cross the shaped link")
    for rate in rates:
        if not any(r.get("kind") == "copy" and r["rate"] == rate for r in records):
            found.append(f"{path}: no copy measured at {rate}")
    return found


def analyse(args, offload, path, records):
    inp = guest_model.inputs(records)
    fit, held = split_points(records, path, args.split, args.rates)
    work = os.path.join(args.out, "guest-model-work", path)
    knobs, calibration = guest_model.calibrate(offload, work, path, inp, fit, list(fit), 12 if args.smoke else 40)
    sim_fit = guest_model.simulate_points(offload, os.path.join(work, "final"), path, inp, knobs, list(fit))
    sim_held = guest_model.simulate_points(offload, os.path.join(work, "final"), path, inp, knobs, list(held))
    table = guest_model.rows(fit, sim_fit, set(fit)) + guest_model.rows(held, sim_held, set())
    errors = [abs(r["error_pct"]) for r in table if r["held_out"]]
    held_rate = args.rates[-1]
    return {"inputs": inp, "calibration": calibration, "rows": table,
            "held_out_median_abs_error_pct": statistics.median(errors) if errors else None,
            "held_out_points": len(errors),
            "scenario": guest_model.scenario(path, inp, knobs, held_rate, EXAMPLE_METHODS[path],
                                             sorted({r["bytes"] for r in table}))}


def print_table(path, result):
    cal = result["calibration"]
    print(f"\n{path}: knobs fitted on {sum(not r['held_out'] for r in result['rows'])} points "
          f"(rms error {cal['rms_error_pct_before']:.1f} % -> {cal['rms_error_pct_after']:.1f} %, {cal['simulations']} simulations)")
    for name, k in cal["knobs"].items():
        print(f"  {name:22} {k['value']:.4g}   ({k['meaning']})")
    for name in cal["on_bound"]:
        print(f"  the model cannot explain these points: {name} at its bound")
    print(f"{'method':15} {'rate':12} {'size':>9} {'measured s':>11} {'spread s':>17} {'simulated s':>12} {'error':>8}  held out")
    for r in result["rows"]:
        print(f"{r['method']:15} {r['rate']:12} {r['bytes'] / 1048576:7.0f}Mi {r['measured_s']:11.3f} "
              f"{r['spread_low_s']:8.3f}..{r['spread_high_s']:<7.3f} {r['simulated_s']:12.3f} {r['error_pct']:+7.1f}%  "
              f"{'yes' if r['held_out'] else 'fit'}{'  (in spread)' if r['in_spread'] else ''}")
    if result["held_out_median_abs_error_pct"] is not None:
        print(f"{path}: median absolute error over {result['held_out_points']} held-out points: "
              f"{result['held_out_median_abs_error_pct']:.1f} %")


def main():
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    offload = os.path.join(args.build, "offload")
    binary = os.path.join(args.build, "tests", "guest_timing")
    os.makedirs(args.out, exist_ok=True)
    previous = json.load(open(args.measured)) if args.measured else None
    report = {"kind": "guest-model-vs-real", "command": " ".join(["bench/guest_model_vs_real.sh"] + sys.argv[1:]),
              "sizes": args.sizes, "rates": args.rates, "repeat": args.repeat, "split": args.split,
              "emulation": "QEMU TCG (no KVM): one guest holds client and server", "paths": {}, "records": {}}
    failures = []
    for path in args.paths:
        if previous:
            records = previous["records"][path]
        else:
            print(f"{path}: booting the guest; {len(args.sizes)} sizes x {len(args.rates)} rates x {args.repeat} repetitions")
            try:
                records, _ = RUNNERS[path](binary, os.path.join(args.out, "guest-model-work", path), args.sizes,
                                           args.rates, args.repeat, "16MiB" if args.smoke else "64MiB")
            except guest_runs.GuestUnavailable as e:
                reason = f"the {path} guest cannot start here: {e}"
                if os.environ.get("OFFLOAD_REQUIRE_REAL_FS") == "1":
                    print(f"guest_model_vs_real: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): {reason}")
                    return 1
                print(f"guest_model_vs_real: SKIP: {reason}")
                return 77
        report["records"][path] = records
        failures += problems(records, path, args.rates)
        result = analyse(args, offload, path, records)
        if any(not math.isfinite(r["simulated_s"]) for r in result["rows"]):
            failures.append(f"{path}: a simulated time is not finite")
        report["paths"][path] = result
        print_table(path, result)
    errors = [abs(r["error_pct"]) for p in report["paths"].values() for r in p["rows"] if r["held_out"]]
    report["held_out_median_abs_error_pct"] = statistics.median(errors) if errors else None
    out = os.path.join(args.out, "guest-model-vs-real.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=1)
    if errors:
        print(f"\nall paths: median absolute error over {len(errors)} held-out points: {statistics.median(errors):.1f} % (goal 25 %)")
    print(f"written: {out}")
    for problem in failures:
        print(f"guest_model_vs_real: FAIL: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
