#!/usr/bin/env bash
# sim_scale.sh: how the simulator's wall time grows with the number of
# concurrent copies, and what the engine costs on top of plain SimGrid.
#
# For each n it writes a scenario: hosts = min(n/10, H) clients (H = --max-hosts,
# 1000 by default), n/hosts copies (10 up to n = 10 H) of 1 GiB each per client, all concurrent
# (count = concurrency = n/hosts); the clients are
# split into 10 groups, each with its own filer (disk 20/16 GB/s, 100 us) and
# its own 100 Gb/s link; clients have 10 Gb/s NICs; engine queue_depth
# 4 x copies per client (40 up to n = 10,000: no copy waits for another),
# copy_depth 4 (4 ops per copy in flight), host chunks 64 MiB, one async
# COPY per copy (kernel_copy_chunk 1 GiB), CB_OFFLOAD on, OFFLOAD_STATUS
# every 5 s, start jitter 1 s per host, LV08 network model. It runs
# DIR/offload-sim-run (engine in SimGrid) and DIR/bench/bare_simgrid_copy (the
# same activities, no engine) per method under /usr/bin/time, and prints
# wall, CPU and simulated seconds, peak RSS, the growth exponent
# log(wall2/wall1)/log(n2/n1) (and of CPU seconds), the memory per copy in
# flight (RSS2 - RSS1) / (n2 - n1) and the overhead engine / bare.
#
# Usage: bench/sim_scale.sh [--build DIR] [--out FILE] [--sizes "100 1000 10000"]
#          [--methods "host nfs-copy-async"] [--timeout SECONDS] [--chunk 64MiB]
#          [--poll 5s] [--jitter 1s] [--groups 10 | --hosts-per-filer K | --copies-per-filer C] [--max-hosts 1000] [--no-bare] [--no-engine] [--keep DIR]
#          [--bare-opts "--cfg=network/model:CM02"] [--host-stage chunked|streaming] [--no-stacks] [--check]
#          [--count-actors]
# Defaults: --build build, --out bench-results/sim_scale.json, --timeout 600.
# --hosts-per-filer K gives each filer K clients (groups = hosts / K), so the
# platform grows with the workload and the load on each filer, disk and link
# stays the same; with a fixed --groups every resource is shared by n/groups
# copies, and a fluid model's cost per event grows with that.
# --copies-per-filer C gives each filer C copies (groups = n / C, at most one
# per client): the load per filer stays the same past the --max-hosts cap too
# (C = 100 is --hosts-per-filer 10 up to n = 10,000; at 100,000 and 1,000
# clients, one filer per client).
# --max-hosts H caps the clients: past n = 10 H each client runs n / H copies,
# so with --hosts-per-filer each filer serves more than 10 K copies and the
# load per filer is no longer the same (at n = 100,000 and H = 1000, 10x that
# of n = 10,000); --max-hosts 10000 keeps 10 copies per client up to 100,000.
# --keep DIR keeps the scenarios and each run's JSON in DIR (else a temp dir).
# --bare-opts passes extra options to bare_simgrid_copy (see its header); the
# overhead figures then compare different models.
# --host-stage writes [scenario] host_stage (README): "streaming" runs each
# host copy's READs and WRITEs as streamed stages; bare_simgrid_copy has no
# such mode, so compare engine rows only (add --no-bare).
# --no-stacks gives every host and filer stack costs of zero and the clients
# free first fills of their buffers (buffer_fault_bandwidth 1 PB/s):
# bare_simgrid_copy models neither, so only then do host rows do the same
# activities as the engine's (and agree on simulated time).
# --check exits 1 unless every run finished, every row has all its fields,
# every engine run finished all its copies, and engine and bare simulated
# times agree to 0.001 % (the ctest smoke run bench_sim_scale_smoke).
# --count-actors runs each program with DIR/bench/libcount_actors.so
# preloaded (bench/count_actors.cpp) and adds to each row the SimGrid actors
# it created ("actors", "actors_per_copy", and by actor name).
# Needs: cmake --build DIR --target offload-sim-run bare_simgrid_copy (and count_actors).
set -euo pipefail

build=build out=bench-results/sim_scale.json sizes="100 1000 10000"
methods="host nfs-copy-async" limit=600 chunk=64MiB poll=5s jitter=1s groups=10 bare=1 eng=1 max_hosts=1000
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --chunk) chunk=$2; shift 2 ;;
    --poll) poll=$2; shift 2 ;;
    --jitter) jitter=$2; shift 2 ;;
    --groups) groups=$2; shift 2 ;;
    --hosts-per-filer) per_filer=$2; shift 2 ;;
    --max-hosts) max_hosts=$2; shift 2 ;;
    --copies-per-filer) per_filer_copies=$2; shift 2 ;;
    --no-bare) bare=0; shift ;;
    --no-engine) eng=0; shift ;;
    --keep) keep=$2; shift 2 ;;
    --bare-opts) bare_opts=$2; shift 2 ;;
    --host-stage) stage=$2; shift 2 ;;
    --no-stacks) nostack='stack = { clock_ghz = 2.69, send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }'
                 nofault='buffer_fault_bandwidth = "1PBps"'; shift ;;
    --check) check=1; shift ;;
    --count-actors) count_actors=1; shift ;;
    *) echo "sim_scale.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [[ -n ${keep:-} ]]; then
  work=$keep; mkdir -p "$work"
else
  work=$(mktemp -d /tmp/sim_scale.XXXXXX); trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$(dirname "$out")"
seconds() { /usr/bin/python3 -c "import sys;v=sys.argv[1];print(float(v[:-2])/1e3 if v.endswith('ms') else float(v.rstrip('s')))" "$1"; }
mib() { /usr/bin/python3 -c "import sys;v=sys.argv[1];print(float(v[:-3])*1024 if v.endswith('GiB') else float(v.removesuffix('MiB')))" "$1"; }

hosts_for() { echo $(( $1 / 10 < max_hosts ? ($1 / 10 > 0 ? $1 / 10 : 1) : max_hosts )); }  # n -> clients

groups_for() {  # n -> filer groups
  local hosts=$(hosts_for "$1")
  if [[ -n ${per_filer_copies:-} ]]; then echo $(( $1 / per_filer_copies > 1 ? $1 / per_filer_copies : 1 )); return; fi
  if [[ -n ${per_filer:-} ]]; then echo $(( hosts / per_filer > 1 ? hosts / per_filer : 1 )); else echo "$groups"; fi
}

scenario() {  # n -> scenario file
  local n=$1 hosts=$(hosts_for "$1") g f=$work/scale-$1.toml
  local ng=$(( hosts < $(groups_for "$n") ? hosts : $(groups_for "$n") ))
  cat > "$f" <<EOF
[scenario]
name = "scale-$n"
seed = 1
methods = ["host", "nfs-copy-async"]
host_stage = "${stage:-chunked}"
[engine]
queue_depth = $(( 4 * (n / hosts) ))
copy_depth = 4
host_chunk = "$chunk"
kernel_copy_chunk = "1GiB"
EOF
  for ((g = 0; g < ng; g++)); do cat >> "$f" <<EOF
[[host]]
name = "c$g"
count = $(( hosts / ng ))
cores = 8
memcpy_bandwidth = "6GBps"
per_op_cpu = "20us"
${nostack:-}
${nofault:-}
nic = "10Gbps"
[[nfs_server]]
name = "f$g"
cores = 32
memcpy_bandwidth = "10GBps"
per_op_cpu = "10us"
${nostack:-}
disk = { read = "20GBps", write = "16GBps", latency = "100us" }
copy = { async = true, max_async = 100000, poll_interval = "$poll", callback = true }
[[link]]
name = "lan$g"
bandwidth = "100Gbps"
latency = "50us"
between = ["c$g", "f$g"]
[[copy]]
on = "c$g"
from = "f$g:/img/golden.img"
to = "f$g:/img/copy.img"
size = "1GiB"
count = $(( n / hosts ))
concurrency = $(( n / hosts ))
start_jitter = "$jitter"
EOF
  done
  echo "$f"
}

rows=$work/rows.jsonl
: > "$rows"
run() {  # kind n method command...
  local kind=$1 n=$2 method=$3; shift 3
  local res=$work/$kind-$n-$method.json tm=$work/time-$kind-$n-$method rc=0
  echo "running $kind n=$n $method ..." >&2
  cut -d' ' -f1 /proc/loadavg > "$tm.load"
  local preload=()
  if [[ -n ${count_actors:-} ]]; then
    rm -f "$tm.actors"
    preload=(env LD_PRELOAD="$(realpath "$build/bench/libcount_actors.so")" COUNT_ACTORS_OUT="$tm.actors")
  fi
  /usr/bin/time -f "%e %M %U %S" -o "$tm" timeout "$limit" "${preload[@]}" "$@" > "$work/stdout" 2> "$work/stderr" || rc=$?
  [[ $kind == bare ]] && cp "$work/stdout" "$res"
  /usr/bin/python3 - "$kind" "$n" "$method" "$rc" "$tm" "$res" "$limit" "$(hosts_for "$n")" >> "$rows" <<'EOF'
import json, sys
kind, n, method, rc, tm, res, limit, hosts = sys.argv[1:]
row = {"kind": kind, "n": int(n), "hosts": int(hosts), "method": method, "status": "ok"}
try:
    wall, rss, user, system = open(tm).read().split()[-4:]
    row["wall_s"], row["rss_mb"] = float(wall), int(rss) / 1024
    row["cpu_s"] = float(user) + float(system)  # robust when other jobs share the cores
    row["load_before"] = float(open(tm + ".load").read())  # 1-min load average before the run
except (OSError, ValueError):
    pass
try:  # --count-actors: "created NAME N" lines (bench/count_actors.cpp)
    counts = {l.split()[1]: int(l.split()[2]) for l in open(tm + ".actors") if l.startswith("created ")}
    row["actors"] = counts.pop("all")
    row["actors_per_copy"] = row["actors"] / int(n)
    row["actors_by_name"] = counts
except (OSError, KeyError, IndexError, ValueError):
    pass
if rc == "124":
    row["status"] = f"timeout>{limit}s"
elif rc != "0":
    row["status"] = f"exit {rc}"
else:
    r = json.load(open(res))
    row["sim_time_s"] = r["sim_time_s"]
    row["wall_in_s"] = r["wall_s"]  # the program's own clock: simulation only
    if kind == "engine":
        row["ops"] = sum(r["engine_operations"].values())
        row["done"] = r["summary"]["done"]
    else:
        row["ops"] = r["activities"]  # SimGrid activities, not engine operations
print(json.dumps(row))
EOF
}

for n in $sizes; do
  f=$(scenario "$n")
  for m in $methods; do
    ((eng)) && run engine "$n" "$m" "$build/offload-sim-run" "$f" --point 0 --method "$m" --output "$work/engine-$n-$m.json"
    ((bare)) && run bare "$n" "$m" "$build/bench/bare_simgrid_copy" "$n" "$m" --chunk-mib "$(mib "$chunk")" \
      --poll-s "$(seconds "$poll")" --jitter-s "$(seconds "$jitter")" --groups "$(groups_for "$n")" --max-hosts "$max_hosts" ${bare_opts:-}
  done
done

/usr/bin/python3 - "$rows" "$out" "$chunk" "$poll" "$jitter" "${per_filer:+$per_filer hosts per filer}${per_filer:-$groups}" "${check:-0}" <<'EOF'
import json, math, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(f"{'n':>6} {'hosts':>5} {'method':<15} {'kind':<6} {'ops':>9} {'sim s':>9} {'wall s':>8} {'in-sim s':>8} {'CPU s':>8} {'RSS MB':>7} {'ms/copy':>8} {'load':>5}  status")
for r in rows:
    w = r.get("wall_s")
    print(f"{r['n']:>6} {r['hosts']:>5} {r['method']:<15} {r['kind']:<6} {r.get('ops', '-'):>9} "
          f"{r.get('sim_time_s', float('nan')):>9.2f} {w if w is not None else float('nan'):>8.2f} {r.get('wall_in_s', float('nan')):>8.2f} {r.get('cpu_s', float('nan')):>8.2f} "
          f"{r.get('rss_mb', float('nan')):>7.0f} {1e3 * w / r['n'] if w else float('nan'):>8.2f} {r.get('load_before', float('nan')):>5.2f}  {r['status']}"
          + (f"  actors {r['actors']} ({r['actors_per_copy']:.2f}/copy: "
             + ", ".join(f"{k} {v}" for k, v in sorted(r['actors_by_name'].items(), key=lambda kv: -kv[1])) + ")"
             if "actors" in r else ""))
growth, overhead = [], []
for kind in ("engine", "bare"):
    for m in dict.fromkeys(r["method"] for r in rows):
        ok = [r for r in rows if r["kind"] == kind and r["method"] == m and r["status"] == "ok"]
        for a, b in zip(ok, ok[1:]):
            k = math.log(b["n"] / a["n"])
            g = {"kind": kind, "method": m, "from": a["n"], "to": b["n"],
                 "exponent": math.log(b["wall_s"] / a["wall_s"]) / k,
                 "exponent_cpu": math.log(b["cpu_s"] / a["cpu_s"]) / k if a["cpu_s"] > 0 else None,
                 "mb_per_copy": (b["rss_mb"] - a["rss_mb"]) / (b["n"] - a["n"])}
            growth.append(g)
            print(f"growth {kind:<6} {m:<15} n {a['n']}->{b['n']}: wall ~ n^{g['exponent']:.2f}"
                  + (f", CPU ~ n^{g['exponent_cpu']:.2f}" if g["exponent_cpu"] is not None else "")
                  + f", {1024 * g['mb_per_copy']:.1f} KB more RSS per copy in flight")
for e in rows:
    b = next((r for r in rows if r["kind"] == "bare" and r["n"] == e["n"] and r["method"] == e["method"]), None)
    if e["kind"] != "engine" or b is None or e["status"] != "ok" or b["status"] != "ok":
        continue
    o = {"n": e["n"], "method": e["method"], "overhead": e["wall_s"] / b["wall_s"],
         "overhead_cpu": e["cpu_s"] / b["cpu_s"] if b["cpu_s"] > 0 else None,
         "overhead_in_sim": e["wall_in_s"] / b["wall_in_s"],
         "sim_engine_s": e["sim_time_s"], "sim_bare_s": b["sim_time_s"],
         "sim_diff_pct": 100 * (e["sim_time_s"] - b["sim_time_s"]) / b["sim_time_s"]}
    overhead.append(o)
    cpu = f"{o['overhead_cpu']:.2f}x" if o["overhead_cpu"] is not None else "-"
    print(f"overhead n={o['n']} {o['method']:<15}: engine/bare wall {o['overhead']:.2f}x, CPU {cpu}, "
          f"in-process {o['overhead_in_sim']:.2f}x; sim {o['sim_engine_s']:.6f} s vs {o['sim_bare_s']:.6f} s "
          f"({o['sim_diff_pct']:+.4f} %)")
json.dump({"settings": {"chunk": sys.argv[3], "poll": sys.argv[4], "jitter": sys.argv[5], "groups": sys.argv[6]},
           "runs": rows, "growth": growth, "overhead": overhead}, open(sys.argv[2], "w"), indent=1)
print(f"wrote {sys.argv[2]}")
if sys.argv[7] == "1":
    fields = {"kind", "n", "hosts", "method", "status", "wall_s", "rss_mb", "cpu_s", "load_before", "sim_time_s", "wall_in_s", "ops"}
    bad = [f"{r['kind']} n={r['n']} {r['method']}: {r['status']}, missing {sorted(fields - r.keys())}"
           for r in rows if r["status"] != "ok" or not fields <= r.keys()]
    bad += [f"engine n={r['n']} {r['method']}: {r['done']} of {r['n']} copies done"
            for r in rows if r["kind"] == "engine" and r.get("done") != r["n"]]
    bad += [f"n={o['n']} {o['method']}: simulated {o['sim_engine_s']} s (engine) vs {o['sim_bare_s']} s (bare)"
            for o in overhead if abs(o["sim_diff_pct"]) > 1e-3]
    if {r["kind"] for r in rows} == {"engine", "bare"} and len(overhead) != len(rows) // 2:
        bad.append(f"{len(overhead)} engine/bare pairs for {len(rows)} runs")
    print("\n".join(["check failed:"] + bad) if bad else "check passed", file=sys.stderr)
    sys.exit(1 if bad else 0)
EOF
