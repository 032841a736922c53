#!/usr/bin/python3
"""Runs every shipped scenario with `offload sim` and checks the direction
and shape of its results (who wins, by how much, bytes on the wire, CPU).

Usage: check_scenarios.py OFFLOAD_BINARY SCENARIO_DIR [--max-clients N] [NAME ...]
--max-clients N runs a scenario whose client group has more than N hosts
with N of them (a copy of the file with that [[host]] count; the sanitizer
build's run: every code path of the full scenario, a fifth of its copies);
the shape checks scale with the clients run.
Prints one line per check and 'N passed, M failed'; exits 1 on a failure.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

GiB = 1 << 30
checks = {"passed": 0, "failed": 0}


def check(what, ok, detail=""):
    checks["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what + (f" ({detail})" if detail else ""))


def with_at_most(path, clients, workdir):
    """`path`, or a copy of it in `workdir` whose [[host]] counts above `clients` are `clients`."""
    with open(path) as f:
        text = f.read()
    capped = re.sub(r"^(count\s*=\s*)(\d+)", lambda m: m.group(1) + str(min(int(m.group(2)), clients)), text, flags=re.M)
    if capped == text:
        return path
    copy = os.path.join(workdir, os.path.basename(path))
    with open(copy, "w") as f:
        f.write(capped)
    print(f"{path}: run with at most {clients} hosts per [[host]] group (--max-clients)")
    return copy


def run(offload, path, max_clients=None):
    with tempfile.TemporaryDirectory() as out:
        if max_clients is not None:
            path = with_at_most(path, max_clients, out)
        proc = subprocess.run([offload, "sim", path, "--out", out, "--quiet"], capture_output=True, text=True)
        if proc.returncode != 0:
            check(f"{path} runs", False, proc.stderr.strip())
            return None
        print(proc.stdout, end="")
        with open(f"{out}/results.json") as f:
            runs = json.load(f)
        for name in ("runs.csv", "copies.csv"):
            with open(f"{out}/{name}") as f:
                check(f"{path}: {name} has a row per run or copy", len(f.read().splitlines()) > len(runs))
        with open(f"{out}/copies.csv") as f:
            header = f.readline().strip().split(",")
            check(f"{path}: copies.csv records each copy's outcome",
                  all(c in header for c in ("bytes_done", "fallbacks", "retries", "redrives", "callbacks_lost")))
        return runs


def by_point(runs):
    """{point-text: {method: run}} in file order."""
    table = {}
    for r in runs:
        key = " ".join(f"{k}={v}" for k, v in sorted(r["point"].items()))
        table.setdefault(key, {})[r["method"]] = r
    return table


def tput(r):
    return r["summary"]["aggregate_throughput_Bps"]


def shared_bytes(r):
    m = r["metrics"]
    return sum(m["link_bytes"][name] for name in m["shared_links"])


def client_cpu(r):
    m = r["metrics"]
    return sum(m["cpu_busy_s"][name] for name in m["client_hosts"])


def all_done(r):
    return r["summary"]["done"] == r["summary"]["copies"]


def nfs_vm_clone(runs):
    gains = []
    for point, methods in by_point(runs).items():
        host = methods["host"]
        size = host["copies"][0]["size_bytes"]
        check(f"nfs-vm-clone {point}: host moves 2x the image over the LAN", abs(shared_bytes(host) - 2 * size) < 0.01 * size,
              f"{shared_bytes(host) / GiB:.2f} GiB")
        network_bound = point.endswith(("=1Gbps", "=10Gbps"))
        for m in ("nfs-copy-sync", "nfs-copy-async"):
            if network_bound:
                check(f"nfs-vm-clone {point}: {m} done and faster than host", all_done(methods[m]) and tput(methods[m]) > tput(host))
            elif m == "nfs-copy-async":  # both bound by the filer's disk: a tie
                check(f"nfs-vm-clone {point}: {m} done, at least 99% of host", all_done(methods[m]) and tput(methods[m]) > 0.99 * tput(host),
                      f"{tput(methods[m]) / tput(host):.3f}x")
            else:  # both disk-bound: 4 MiB synchronous calls may trail a pipelined host copy a little
                check(f"nfs-vm-clone {point}: {m} done, within 10% of host", all_done(methods[m]) and tput(methods[m]) > 0.9 * tput(host),
                      f"{tput(methods[m]) / tput(host):.3f}x")
            check(f"nfs-vm-clone {point}: {m} moves ~0 bytes over the LAN", shared_bytes(methods[m]) < 0.001 * size,
                  f"{shared_bytes(methods[m]) / 2**20:.2f} MiB")
            # No per-byte client CPU: only syscalls and the COPY/CB_OFFLOAD/OFFLOAD_STATUS RPCs.
            check(f"nfs-vm-clone {point}: {m} costs the client no copy CPU", 0 < client_cpu(methods[m]) < 0.02 * client_cpu(host),
                  f"{client_cpu(methods[m]):.3f} s vs host {client_cpu(host):.3f} s")
        gains.append(tput(methods["nfs-copy-async"]) / tput(host))
    check("nfs-vm-clone: gain > 10x at 1 Gb/s", gains[0] > 10, f"{gains[0]:.2f}x")
    check("nfs-vm-clone: gain falls as the link gets faster", all(a >= b * 0.999 for a, b in zip(gains, gains[1:])),
          ", ".join(f"{g:.2f}x" for g in gains))


def local_fs(runs):
    for point, m in by_point(runs).items():
        reflink = point.endswith("true")
        check(f"local-fs {point}: kernel-copy uses less CPU than host", client_cpu(m["kernel-copy"]) < 0.6 * client_cpu(m["host"]))
        # Both are bound by the one disk when it is the bottleneck: equal within 0.1 % (the order of their I/Os differs).
        check(f"local-fs {point}: kernel-copy at least as fast as host", tput(m["kernel-copy"]) >= 0.999 * tput(m["host"]))
        if reflink:
            check(f"local-fs {point}: clone > 100x faster than host", tput(m["clone"]) > 100 * tput(m["host"]),
                  f"{tput(m['clone']) / tput(m['host']):.0f}x")
            check(f"local-fs {point}: auto clones", m["auto"]["copies"][0]["methods_used"] == "clone")
        else:
            check(f"local-fs {point}: clone fails without reflink", m["clone"]["summary"]["failed"] == 1)
            auto = m["auto"]["copies"][0]
            check(f"local-fs {point}: auto falls back to kernel-copy and records it",
                  auto["methods_used"] == "kernel-copy" and auto["fallbacks"][0]["errno"] == "EOPNOTSUPP")


def network_bottleneck(runs):
    gains = [tput(m["nfs-copy-async"]) / tput(m["host"]) for m in by_point(runs).values()]
    check("network-bottleneck: gain > 10x at 1 Gb/s", gains[0] > 10, f"{gains[0]:.2f}x")
    check("network-bottleneck: gain between 1.0x and 1.2x at 100 Gb/s", 1.0 <= gains[-1] < 1.2, f"{gains[-1]:.3f}x")
    check("network-bottleneck: gain never rises with bandwidth", all(a >= b * 0.999 for a, b in zip(gains, gains[1:])),
          ", ".join(f"{g:.2f}x" for g in gains))


def contention(runs):
    m = next(iter(by_point(runs).values()))
    clients = len(m["host"]["metrics"]["client_hosts"])
    for method, r in m.items():
        check(f"contention: {method} finishes all {r['summary']['copies']} copies, one per client",
              all_done(r) and r["summary"]["copies"] == clients, f"{clients} clients")
    check("contention: server-side COPY beats host copies", tput(m["nfs-copy-async"]) > 1.5 * tput(m["host"]),
          f"{tput(m['nfs-copy-async']) / tput(m['host']):.2f}x")
    check("contention: CLONE beats COPY", tput(m["clone"]) > 10 * tput(m["nfs-copy-async"]))
    check("contention: only host copies cost client CPU", client_cpu(m["host"]) > clients and client_cpu(m["clone"]) < clients / 100)


def scsi_array(runs):
    points = list(by_point(runs).items())
    gains = []
    for point, m in points:
        host = m["host"]
        size = host["copies"][0]["size_bytes"]
        check(f"scsi-array {point}: host moves the disk twice over FC", abs(shared_bytes(host) - 2 * size) < 0.01 * size,
              f"{shared_bytes(host) / GiB:.1f} GiB")
        for method in ("xcopy", "odx"):
            r = m[method]
            check(f"scsi-array {point}: {method} done, faster than host, ~0 bytes over FC",
                  all_done(r) and tput(r) > tput(host) and shared_bytes(r) < 0.001 * size)
        scsi = m["xcopy"]["metrics"]["scsi"]["array"]
        # 256 MB maximum segment length, cut to whole MiB by the initiator: 244 MiB segments.
        check(f"scsi-array {point}: XCOPY split into 244 MiB segments", scsi["extended_copy"] == -(-size // (244 * 2**20)),
              f"{scsi['extended_copy']:.0f} commands")
        check(f"scsi-array {point}: the initiator read the limits (RECEIVE COPY RESULTS) and got no CHECK CONDITION",
              scsi["receive_copy_results"] >= 1 and scsi["check_condition"] == 0,
              f"{scsi['receive_copy_results']:.0f} RECEIVE COPY RESULTS")
        odx = m["odx"]["metrics"]["scsi"]["array"]
        check(f"scsi-array {point}: one token per 256 MiB", odx["populate_token"] == -(-size // 2**28))
        auto = m["auto"]["copies"][0]
        check(f"scsi-array {point}: auto picks XCOPY with no fallback", auto["methods_used"] == "scsi-xcopy" and not auto["fallbacks"])
        gains.append(tput(m["xcopy"]) / tput(host))
    check("scsi-array: XCOPY gain shrinks as FC gets faster", all(a > b for a, b in zip(gains, gains[1:])),
          ", ".join(f"{g:.2f}x" for g in gains))
    check("scsi-array: at 8 GFC the gain is near the ESG figure (~8x)", 5 < gains[0] < 12, f"{gains[0]:.2f}x")


def faults(runs):
    m = next(iter(by_point(runs).values()))
    kinds = {"link_down", "nfs_server_restart", "cb_offload_lost", "odx_token_expire"}
    for method, r in m.items():
        check(f"faults: {method} ends every copy done despite the faults", all_done(r), json.dumps(r["summary"]))
        applied = {f["kind"] for f in r["faults"]}
        check(f"faults: {method} records the four faults applied", applied == kinds and r["summary"]["faults_applied"] == 4,
              ", ".join(sorted(applied)))
        flap = next(f for f in r["faults"] if f["kind"] == "link_down")
        check(f"faults: {method} link flap restored after its duration", abs(flap["restored_s"] - flap["applied_s"] - 3) < 1e-9)
    nfs = {c["from"].split(":")[0]: c for c in m["host"]["copies"]}["filer"]
    check("faults: host copy over NFS retried after the flap and the restart", nfs["retries"] >= 2 and nfs["methods_used"] == "host",
          f"{nfs['retries']:.0f} retries")
    auto = {c["from"].split(":")[0]: c for c in m["auto"]["copies"]}
    nfs, lun = auto["filer"], auto["array"]
    check("faults: auto on NFS falls back from CLONE to an async COPY",
          nfs["methods_used"] == "kernel-copy" and nfs["fallbacks"][0]["errno"] == "EOPNOTSUPP")
    check("faults: the async COPY killed by the restart is redriven", nfs["redrives"] >= 1, f"{nfs['redrives']:.0f} redrives")
    check("faults: the lost CB_OFFLOAD is covered by OFFLOAD_STATUS polling", nfs["callbacks_lost"] == 1)
    nfs_metrics = m["auto"]["metrics"]["nfs"]["filer"]
    check("faults: the filer counts the redrives and the lost callback",
          nfs_metrics["redrives"] == nfs["redrives"] and nfs_metrics["cb_offload_lost"] == 1)
    expired = [f for f in lun["fallbacks"] if f["from"] == "scsi-odx" and f["errno"] == "ESTALE"]
    check("faults: expired ODX tokens fall back to the host for their ranges only",
          expired and expired[0]["to"] == "host" and 0 < lun["bytes_by_method"]["host"] < lun["size_bytes"] / 2
          and lun["bytes_by_method"]["host"] + lun["bytes_by_method"]["scsi-odx"] == lun["size_bytes"],
          f"{lun['bytes_by_method'].get('host', 0) / GiB:.2f} GiB by host")
    check("faults: the LAN carries the flap's resent messages", m["host"]["metrics"]["network_retries"] >= 1)


def every_run_is_accounted(name, runs):
    """Every method at every point: finite client and server CPU s/GiB, and shares of time that sum to 1."""
    finite = [r for r in runs if all(isinstance(r["summary"].get(k), (int, float)) and math.isfinite(r["summary"][k])
                                     and r["summary"][k] >= 0 for k in ("client_cpu_s_per_GiB", "server_cpu_s_per_GiB"))]
    check(f"{name}: every run reports finite client and server CPU s/GiB", len(finite) == len(runs),
          f"{len(finite)}/{len(runs)}")
    offloaded = [r for r in runs if r["method"] != "host"]
    check(f"{name}: offloaded methods cost the client some CPU", all(r["summary"]["client_cpu_s_per_GiB"] > 0 for r in offloaded))
    attributed = [r for r in runs if r["bottleneck"]["bound"] in ("link", "disk", "cpu", "round_trips")
                  and abs(sum(r["bottleneck"]["shares"].values()) - 1) < 1e-6]
    check(f"{name}: every run names what bounded it, shares summing to 1", len(attributed) == len(runs),
          f"{len(attributed)}/{len(runs)}")


# Samsung's NVMe-oF/TCP copy-offload cells (LSF/MM/BPF 2023 topic, linux-nvme list, 13 Jan 2023):
# MiB/s of host and offloaded copies, and the network use, per setup.
PUBLISHED = {"1Gbps": {"host": 100, "offload": 2655, "host_net": 0.89, "offload_net": 0.0062},
             "100Gbps": {"host": 1027, "offload": 1183, "host_net": 0.0842}}


def nvmeof_samsung(runs):
    for point, methods in by_point(runs).items():
        cells = PUBLISHED[point.split("=")[1]]
        host, offload = methods["host"], methods["nvme-copy"]
        for label, run in (("host", host), ("offload", offload)):
            mib = tput(run) / 2**20
            check(f"nvmeof-samsung {point}: {label} {mib:.0f} MiB/s within 20% of the published {cells[label]}",
                  abs(mib / cells[label] - 1) <= 0.2)
            if f"{label}_net" in cells:
                use = run["bottleneck"]["utilisation"]["link"]
                check(f"nvmeof-samsung {point}: {label} network use {100 * use:.3g}% within 20% of the published "
                      f"{100 * cells[label + '_net']:.3g}%", abs(use / cells[label + "_net"] - 1) <= 0.2)
        check(f"nvmeof-samsung {point}: the offloaded copy wins", tput(offload) > tput(host),
              f"{tput(offload) / tput(host):.2f}x")
    gains = [tput(m["nvme-copy"]) / tput(m["host"]) for m in by_point(runs).values()]
    check("nvmeof-samsung: >10x at 1 Gb/s, <2x at 100 Gb/s", gains[0] > 10 and gains[1] < 2, f"{gains}")


def nvmeof_copy(runs):
    offload_times = []
    for point, m in by_point(runs).items():
        host, copy = m["host"], m["nvme-copy"]
        size = host["copies"][0]["size_bytes"]
        check(f"nvmeof-copy {point}: both methods done, nvme-copy by Copy only", all_done(host) and all_done(copy)
              and copy["copies"][0]["bytes_by_method"]["nvme-copy"] == size)
        pdus = size / 2**18 * (120 + 144)  # per 256 KiB Read: 72 + 24 + 24 bytes; Write: 72 + 24 (R2T) + 24 + 24
        check(f"nvmeof-copy {point}: host moves 2x the data plus the NVMe/TCP PDUs over the fabric",
              0 <= shared_bytes(host) - 2 * size - pdus < 50000, f"{shared_bytes(host) / size:.5f}x")
        counts = copy["metrics"]["nvme"]["target"]
        commands = size / 2**21
        check(f"nvmeof-copy {point}: one Copy of 16 ranges per 2 MiB (MSSRL 256, MSRC 15, MCL 4096)",
              counts["copy"] == commands and counts["copy_ranges"] == 16 * commands and counts["errors"] == 0, f"{counts}")
        check(f"nvmeof-copy {point}: Copy puts only its capsules on the fabric (~600 bytes per 2 MiB)",
              shared_bytes(copy) < 700 * commands + 50000, f"{shared_bytes(copy):.0f} B")
        offload_times.append(copy["summary"]["makespan_s"])
    gains = [tput(m["nvme-copy"]) / tput(m["host"]) for m in by_point(runs).values()]
    check("nvmeof-copy: >10x at 1 Gb/s, <2x at 100 Gb/s, falling with the link speed",
          gains[0] > 10 and gains[-1] < 2 and all(a > b for a, b in zip(gains, gains[1:])), f"{gains}")
    check("nvmeof-copy: NVMe Copy's time does not depend on the link (within 1 %)",
          max(offload_times) <= 1.01 * min(offload_times), f"{offload_times}")


def smb_copychunk(runs):
    for point, m in by_point(runs).items():
        size = m["host"]["copies"][0]["size_bytes"]
        check(f"smb-copychunk {point}: every method done", all(all_done(m[x]) for x in ("host", "kernel-copy", "clone")))
        check(f"smb-copychunk {point}: host moves 2x the file over the LAN", abs(shared_bytes(m["host"]) - 2 * size) < 0.01 * size,
              f"{shared_bytes(m['host']) / size:.3f}x")
        for x in ("kernel-copy", "clone"):
            check(f"smb-copychunk {point}: {x} moves ~0 bytes over the LAN", shared_bytes(m[x]) < 0.001 * size,
                  f"{shared_bytes(m[x]):.0f} B")
        counts = m["kernel-copy"]["metrics"]["smb"]["nas"]
        check(f"smb-copychunk {point}: copychunk is one request per MiB after one resume key per 64 MiB call",
              counts["copychunk"] == size / 2**20 and counts["resume_key"] == size / 2**26, f"{counts}")
        check(f"smb-copychunk {point}: duplicate extents is one request per 1 GiB clone call",
              m["clone"]["metrics"]["smb"]["nas"]["duplicate_extents"] == size / 2**30)
        check(f"smb-copychunk {point}: duplicate extents beats copychunk", tput(m["clone"]) > tput(m["kernel-copy"]))
    gains = [tput(m["kernel-copy"]) / tput(m["host"]) for m in by_point(runs).values()]
    check("smb-copychunk: copychunk > 10x host at 1 Gb/s", gains[0] > 10, f"{gains[0]:.2f}x")
    check("smb-copychunk: the copychunk gain falls as the link gets faster", all(a >= b * 0.999 for a, b in zip(gains, gains[1:])),
          f"{gains}")


SHAPES = {"scsi-array": scsi_array, "nvmeof-samsung": nvmeof_samsung, "nfs-vm-clone": nfs_vm_clone, "local-fs": local_fs, "network-bottleneck": network_bottleneck,
          "contention": contention, "faults": faults, "smb-copychunk": smb_copychunk, "nvmeof-copy": nvmeof_copy}


def main():
    offload, directory, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    max_clients = None
    if rest[:1] == ["--max-clients"]:
        max_clients, rest = int(rest[1]), rest[2:]
    names = rest or list(SHAPES)
    for name in names:
        runs = run(offload, f"{directory}/{name}.toml", max_clients)
        if runs is not None:
            every_run_is_accounted(name, runs)
            SHAPES[name](runs)
    print(f"{checks['passed']} passed, {checks['failed']} failed")
    return 1 if checks["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
