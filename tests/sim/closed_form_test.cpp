// Simulated times against closed-form answers on simple platforms (CM02,
// no cross-traffic: a transfer takes latency + size / bandwidth), byte
// accounting of host versus offloaded copies, the NFS asynchronous COPY
// protocol (callback and polling), and determinism.
#include <gtest/gtest.h>

#include <set>

#include <simgrid/s4u.hpp>

#include "sim/platform.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/sim/nfs_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

constexpr double kTolerance_s = 1e-5;

double copy_time(const nlohmann::json& run) { return run["copies"][0]["latency_s"]; }

TEST(ClosedForm, HostCopyOverNfs) {
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk), "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // map (1 round trip), 10 chunks of [READ: request + data] [WRITE: data + reply], finish (1 round trip).
  double latency = 1e-3, chunk = 10e6 / 125e6;
  double expected = 2 * latency + 10 * (2 * (latency + chunk + latency)) + 2 * latency + kFirstFill10MB_s;
  EXPECT_NEAR(copy_time(run), expected, kTolerance_s);
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["lan"].get<double>(), 2 * 100e6);  // READ + WRITE
  EXPECT_EQ(run["copies"][0]["methods_used"], "host");
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["read"], 10);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["write"], 10);
}

TEST(ClosedForm, SynchronousCopyIsCappedPerCall) {
  // The disk reads at 200 MB/s and writes at 100 MB/s and shares its time
  // between the I/Os in flight (models/disk.hpp): copying 4 MB on it takes
  // 4 MB / 200 MB/s + 4 MB / 100 MB/s = 60 ms.
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, R"({ read = "200MBps", write = "100MBps" })"),
                      "nfs-copy-sync");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  double latency = 1e-3;
  double expected = 2 * latency + 25 * (2 * latency + 4e6 / 200e6 + 4e6 / 100e6) + 2 * latency;
  EXPECT_NEAR(copy_time(run), expected, kTolerance_s);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["copy_sync"], 25);
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["lan"].get<double>(), 0);  // no data on the wire
  EXPECT_EQ(run["copies"][0]["methods_used"], "kernel-copy");
}

TEST(ClosedForm, AsynchronousCopyEndsOnTheCallback) {
  auto run = simulate(nfs_platform("poll_interval = \"10s\"", kOneCopyCall, R"({ read = "200MBps", write = "100MBps" })"),
                      "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // map, then COPY request (1 ms) + copy on the server (100 MB / 200 MB/s +
  // 100 MB / 100 MB/s = 1.5 s) + CB_OFFLOAD (1 ms), then finish.
  EXPECT_NEAR(copy_time(run), 0.002 + 0.001 + 1.5 + 0.001 + 0.002, kTolerance_s);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["copy_async"], 1);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["cb_offload"], 1);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["offload_status"], 0);
}

TEST(ClosedForm, LostCallbackIsFoundByPolling) {
  auto run = simulate(nfs_platform("poll_interval = \"300ms\", callback = false", kOneCopyCall,
                                   R"({ read = "200MBps", write = "100MBps" })"),
                      "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // The reply reaches the client at 4 ms; it polls after 300 ms, round trip
  // 2 ms, until a poll finds the copy done (server finished at 1.503 s):
  // polls end at 0.306, 0.608, 0.910, 1.212 and 1.514 s; then finish (2 ms).
  EXPECT_NEAR(copy_time(run), 1.516, kTolerance_s);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["offload_status"], 5);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["cb_offload"], 0);
}

TEST(ClosedForm, CancelSendsOffloadCancelAndStopsAtTheStage) {
  std::string toml = nfs_platform("poll_interval = \"500ms\", async = true", kOneCopyCall,
                                  R"({ read = "200MBps", write = "100MBps" })");
  toml.replace(toml.find("size = \"100MB\""), 14, "size = \"1GiB\"\ncancel_after = \"1s\"");
  toml.replace(toml.find("kernel_copy_chunk = \"100MB\""), 27, "kernel_copy_chunk = \"1GiB\"");
  auto run = simulate(toml, "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "cancelled");
  // The first 256 MiB stage (268435456 B / 200 MB/s + 268435456 B / 100 MB/s
  // = 4.0265 s) completes; the cancel at 1 s
  // goes out at the client's next wake-up and the server stops after it.
  EXPECT_EQ(copy["bytes_done"], 256 * 1048576);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["offload_cancel"], 1);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["cb_offload"], 0);
  // Polls end at 0.506, 1.010 (after OFFLOAD_CANCEL), 1.512, 2.014, ..., 4.022
  // and 4.524 s (the server finished its stage at 4.0295 s); then REMOVE (2 ms).
  EXPECT_NEAR(copy["end_s"].get<double>(), 4.526, kTolerance_s);
}

TEST(ClosedForm, InterServerCopyMovesDataBetweenServersOnly) {
  std::string toml = R"(
[scenario]
name = "inter-server"
network_model = "CM02"
methods = ["nfs-copy-async"]
[engine]
queue_depth = 1
kernel_copy_chunk = "100MB"
[[host]]
name = "client"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[nfs_server]]
name = "a"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = { read = "1PBps", write = "1PBps" }
copy = { rpc_size = 0, poll_interval = "10s" }
[[nfs_server]]
name = "b"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = { read = "1PBps", write = "1PBps" }
copy = { rpc_size = 0, poll_interval = "10s" }
[[link]]
name = "to-a"
bandwidth = "1Gbps"
latency = "1ms"
between = ["client", "a"]
[[link]]
name = "to-b"
bandwidth = "1Gbps"
latency = "1ms"
between = ["client", "b"]
[[link]]
name = "a-b"
bandwidth = "1Gbps"
latency = "1ms"
between = ["a", "b"]
[[copy]]
on = "client"
from = "a:/x"
to = "b:/y"
size = "100MB"
)";
  auto run = simulate(toml, "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // map (a), COPY_NOTIFY (a), COPY to b, b opens a (1 ms), data a->b (1 ms + 0.8 s), CB_OFFLOAD, finish (b).
  EXPECT_NEAR(copy_time(run), 0.002 + 0.002 + 0.001 + 0.001 + 0.801 + 0.001 + 0.002, kTolerance_s);
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["a-b"].get<double>(), 100e6);
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["to-a"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["to-b"].get<double>(), 0);
  EXPECT_EQ(run["metrics"]["nfs"]["a"]["copy_notify"], 1);
  EXPECT_EQ(run["metrics"]["nfs"]["b"]["copy_async"], 1);
}

std::string local_platform(bool reflink) {
  return R"(
[scenario]
name = "local"
network_model = "CM02"
methods = ["host", "kernel-copy", "clone", "auto"]
[engine]
queue_depth = 1
host_chunk = "10MB"
[[host]]
name = "box"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = { read = "200MBps", write = "100MBps" }
fs = { reflink = )" + std::string(reflink ? "true" : "false") + R"(, clone_fixed_cpu = "1ms", clone_cpu_per_GiB = "2ms" }
[[copy]]
on = "box"
from = "local:/a"
to = "local:/b"
size = "100MB"
)";
}

TEST(ClosedForm, LocalMethodsTakeTheirModelledTimes) {
  auto host = simulate(local_platform(true), "host");
  ASSERT_FALSE(host.contains("error")) << host["error"];
  EXPECT_NEAR(copy_time(host), 10 * (10e6 / 200e6 + 10e6 / 100e6) + kFirstFill10MB_s, kTolerance_s);
  auto kernel = simulate(local_platform(true), "kernel-copy");
  EXPECT_NEAR(copy_time(kernel), 100e6 / 200e6 + 100e6 / 100e6, kTolerance_s);  // read and write share the disk
  auto clone = simulate(local_platform(true), "clone");
  EXPECT_NEAR(copy_time(clone), 1e-3 + 2e-3 * 100e6 / 1073741824.0, kTolerance_s);
  EXPECT_DOUBLE_EQ(clone["metrics"]["disks"]["box-disk"]["write_bytes"].get<double>(), 0);
  EXPECT_NEAR(clone["metrics"]["cpu_busy_s"]["box"].get<double>(), 1e-3 + 2e-3 * 100e6 / 1073741824.0, 1e-12);
}

// The keys `offload calibrate` writes: a CPU-bound local copy at core_speed,
// copy_file_range at its own CPU rate, and copy_file_range that remaps.
std::string calibrated_local(const std::string& speed, const std::string& fs) {
  return R"(
[scenario]
name = "calibrated"
network_model = "CM02"
methods = ["host", "kernel-copy"]
[engine]
queue_depth = 1
host_chunk = "10MB"
kernel_copy_chunk = "100MB"
[[host]]
name = "box"
core_speed = )" + speed + R"(
memcpy_bandwidth = "1GBps"
per_op_cpu = "1ms"
disk = { read = "1PBps", write = "1PBps" }
fs = )" + fs + R"(
[[copy]]
on = "box"
from = "local:/a"
to = "local:/b"
size = "100MB"
)";
}

TEST(ClosedForm, CalibratedLocalKeys) {
  std::string plain = "{ reflink = false, kernel_copy_bandwidth = \"0.5GBps\" }";
  // Host: 10 reads + 10 writes of 10 MB, each 10 ms of memcpy + 1 ms, plus
  // open and finish (1 ms each), plus the first fill of the one buffer.
  const double host_cpu_s = 20 * 0.011 + 0.002 + kFirstFill10MB_s;
  auto host = simulate(calibrated_local("1", plain), "host");
  EXPECT_NEAR(copy_time(host), host_cpu_s, 1e-6);
  EXPECT_NEAR(host["metrics"]["cpu_busy_s"]["box"].get<double>(), host_cpu_s, 1e-9);
  auto slow = simulate(calibrated_local("0.25", plain), "host");
  EXPECT_NEAR(copy_time(slow), 4 * host_cpu_s, 1e-6);  // a quarter of a core: 4x the time
  EXPECT_NEAR(slow["metrics"]["cpu_busy_s"]["box"].get<double>(), host_cpu_s, 1e-9);  // same CPU seconds
  auto kernel = simulate(calibrated_local("1", plain), "kernel-copy");
  EXPECT_NEAR(copy_time(kernel), 100e6 / 0.5e9 + 0.001 + 0.002, 1e-6);  // its own rate, not memcpy's
  std::string remaps = "{ reflink = true, copy_range_reflinks = true, clone_fixed_cpu = \"3ms\", clone_cpu_per_GiB = \"0s\" }";
  auto remapped = simulate(calibrated_local("1", remaps), "kernel-copy");
  EXPECT_NEAR(copy_time(remapped), 0.003 + 0.002, 1e-6);  // a clone call, open and finish
  EXPECT_DOUBLE_EQ(remapped["metrics"]["disks"]["box-disk"]["write_bytes"].get<double>(), 0);
  std::string starts = "{ reflink = false, host_copy_start = \"50ms\" }";
  auto started = simulate(calibrated_local("0.25", starts), "host");
  EXPECT_NEAR(copy_time(started), 0.05 + 4 * host_cpu_s, 1e-6);  // a wait, not slowed by core_speed
  EXPECT_NEAR(started["metrics"]["cpu_busy_s"]["box"].get<double>(), host_cpu_s, 1e-9);
  std::string cheap_faults = R"(core_speed = 1
buffer_fault_bandwidth = "1GBps")";
  std::string faulty = calibrated_local("1", plain);
  faulty.replace(faulty.find("core_speed = 1"), 14, cheap_faults);
  auto faults = simulate(faulty, "host");  // 10,485,760 bytes of fresh buffer at 1 GB/s
  EXPECT_NEAR(copy_time(faults), 20 * 0.011 + 0.002 + 10485760 / 1e9, 1e-6);
  auto kernel_only = simulate(calibrated_local("1", starts), "kernel-copy");
  EXPECT_NEAR(copy_time(kernel_only), 100e6 / 1e9 + 0.001 + 0.002, 1e-6);  // only host copies wait
}

// A host copy's CPU split between its reads and writes (write_share), 10
// chunks of 10 MB, 2 x 10 MB of memcpy per chunk at 1 GB/s = 20 ms, on 4
// cores. At the engine's default copy depth 2 one read runs beside one
// write: the pipeline moves at its dearer side, so the time is
// 10 x max(R, W) plus the cheaper side once (the first read or the last write).
TEST(ClosedForm, HostCopyPipelineMovesAtItsDearerSide) {
  std::string base = calibrated_local("1", "{ reflink = false, write_share = SHARE }");
  base.replace(base.find("queue_depth = 1"), 15, "queue_depth = 8");
  base.replace(base.find("per_op_cpu = \"1ms\""), 18, "per_op_cpu = \"0s\"\ncores = 4\nbuffer_fault_bandwidth = \"1PBps\"");
  auto with_share = [&](const std::string& share, const std::string& copy_depth) {
    std::string t = base;
    t.replace(t.find("SHARE"), 5, share);
    t.replace(t.find("queue_depth = 8"), 15, "queue_depth = 8\ncopy_depth = " + copy_depth);
    auto run = simulate(t, "host");
    EXPECT_FALSE(run.contains("error")) << run["error"];
    EXPECT_NEAR(run["metrics"]["cpu_busy_s"]["box"].get<double>(), 0.2, 1e-6) << share;  // the split moves no CPU second
    return copy_time(run);
  };
  EXPECT_NEAR(with_share("0.75", "2"), 0.005 + 10 * 0.015, 1e-6);  // writes 15 ms, reads 5 ms
  EXPECT_NEAR(with_share("0.25", "2"), 10 * 0.015 + 0.005, 1e-6);  // reads 15 ms: the reads bound it
  EXPECT_NEAR(with_share("0.5", "2"), 0.010 + 10 * 0.010, 1e-6);
  // Deeper, 4 reads beside 4 writes on 4 cores: the writes still run one at a
  // time (the destination's inode lock), so 10 x 15 ms of writes bound the
  // copy; without the lock the cores would share the 200 ms: about 50 ms.
  double locked = with_share("0.75", "8");
  EXPECT_GE(locked, 10 * 0.015);
  EXPECT_LT(locked, 10 * 0.015 + 0.010);
  EXPECT_LT(with_share("0.25", "8"), 0.5 * locked);  // cheap writes: the reads spread over the cores
}

TEST(ClosedForm, AutoFallsBackInsideTheSimulationToo) {
  auto run = simulate(local_platform(false), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_EQ(copy["methods_used"], "kernel-copy");
  ASSERT_EQ(copy["fallbacks"].size(), 1U);
  EXPECT_EQ(copy["fallbacks"][0]["from"], "clone");
  EXPECT_EQ(copy["fallbacks"][0]["errno"], "EOPNOTSUPP");
  auto pinned = simulate(local_platform(false), "clone");
  EXPECT_EQ(pinned["copies"][0]["state"], "failed");
  EXPECT_NE(pinned["copies"][0]["error"].get<std::string>().find("EOPNOTSUPP"), std::string::npos);
}

std::string contended(const std::string& seed) {
  return R"(
[scenario]
name = "determinism"
seed = )" + seed + R"(
methods = ["host"]
[engine]
host_chunk = "4MiB"
[[host]]
name = "client"
count = 5
nic = "10Gbps"
[[nfs_server]]
name = "filer"
nic = "10Gbps"
disk = { read = "1GBps", write = "800MBps", latency = "200us" }
[[link]]
name = "lan"
bandwidth = "25Gbps"
latency = "50us"
between = ["client", "filer"]
[[copy]]
on = "client"
from = "filer:/a"
to = "filer:/b"
size = "256MiB"
count = 2
concurrency = 2
start_jitter = "1s"
)";
}

TEST(Simulation, SameScenarioAndSeedGiveIdenticalResults) {
  auto first = simulate(contended("7"), "host");
  auto second = simulate(contended("7"), "host");
  ASSERT_FALSE(first.contains("error")) << first["error"];
  first.erase("wall_s");
  second.erase("wall_s");
  EXPECT_EQ(first, second);
  EXPECT_EQ(first["summary"]["done"], 10);
  auto other = simulate(contended("8"), "host");
  EXPECT_NE(first["copies"][0]["start_s"], other["copies"][0]["start_s"]);  // the seed drives the jitter
}

// A streamed host copy's operations (OPEN, READs, WRITEs, COMMIT + CLOSE)
// run without an actor (sim/detached_operations.hpp; only a request its
// stage drops after a fault takes one), where the chunked model keeps one
// per operation in flight; the simulated times stay within 2 %.
TEST(Simulation, StreamedRequestsHoldNoActorWhileTheyWait) {
  std::string chunked_toml = contended("7");
  chunked_toml.replace(chunked_toml.find("host_chunk"), 0, "copy_depth = 8\nqueue_depth = 16\n");
  std::string streamed_toml = chunked_toml;
  streamed_toml.replace(streamed_toml.find("methods"), 0, "host_stage = \"streaming\"\n");
  auto chunked = simulate(chunked_toml, "host");
  auto streamed = simulate(streamed_toml, "host");
  ASSERT_FALSE(chunked.contains("error")) << chunked["error"];
  ASSERT_FALSE(streamed.contains("error")) << streamed["error"];
  EXPECT_EQ(streamed["summary"]["done"], 10);
  EXPECT_NEAR(streamed["summary"]["makespan_s"].get<double>(), chunked["summary"]["makespan_s"].get<double>(),
              0.02 * chunked["summary"]["makespan_s"].get<double>());
  ASSERT_EQ(streamed["engine_actors"].size(), 5U) << streamed.dump();
  for (const auto& [host, actors] : chunked["engine_actors"].items()) {
    EXPECT_GE(actors.get<int>(), 8) << host << ": a chunked copy keeps copy_depth operations on actors";
    EXPECT_EQ(streamed["engine_actors"][host].get<int>(), 0) << host << streamed.dump();
  }
}

}  // namespace
}  // namespace offload::testing

namespace offload::testing {
namespace {

// The NFS platform at 100 Gb/s with a free disk and memory, where only the
// TCP stack costs CPU: 1 cycle per byte sent and per byte received at 1 GHz
// (1 ns per byte), nothing per message.
std::string stack_bound(const std::string& engine, int cores) {
  std::string toml = nfs_platform("sync_cap = \"4MB\"", engine, kFastDisk);
  toml.replace(toml.find("bandwidth = \"1Gbps\""), 19, "bandwidth = \"100Gbps\"");
  std::string stack = "cores = " + std::to_string(cores) +
                      "\nstack = { clock_ghz = 1, send_cycles_per_byte = 1, receive_cycles_per_byte = 1, message_cycles = 0 }\n";
  toml.replace(toml.find("name = \"client\"\n"), 16, "name = \"client\"\n" + stack);
  return toml;
}

TEST(StackCpu, SingleStreamHostCopyAt100GbpsIsCpuBound) {
  // Each 10 MB READ: request (1 ms), then the data message, whose transfer
  // (1 ms + 0.8 ms) runs alongside both stacks' work (10 MB x 1 ns = 10 ms);
  // each WRITE: the data (10 ms of stack), then the reply (1 ms).
  auto serial = simulate(stack_bound(kSerialEngine, 16), "host");
  ASSERT_FALSE(serial.contains("error")) << serial["error"];
  EXPECT_NEAR(copy_time(serial), 0.002 + 10 * 2 * (0.001 + 0.010) + 0.002 + kFirstFill10MB_s, kTolerance_s);
  // Four requests in flight on 16 cores: the connection's stack work still
  // runs on one core, so the client's lane (100 MB received + 100 MB sent
  // at 1 ns per byte = 0.2 s) bounds the copy, not the 100 Gb/s link.
  std::string deep = "queue_depth = 4\nhost_chunk = \"10MB\"";
  auto pipelined = simulate(stack_bound(deep, 16), "host");
  ASSERT_FALSE(pipelined.contains("error")) << pipelined["error"];
  EXPECT_GE(copy_time(pipelined), 0.2);
  EXPECT_LT(copy_time(pipelined), 0.2 + 0.02);
  // The stack's 0.2 s plus one memcpy of each byte each way at 1 PB/s,
  // plus the first fill of the two buffers a copy uses (copy_depth 2).
  EXPECT_NEAR(pipelined["metrics"]["cpu_busy_s"]["client"].get<double>(), 0.2 + 2 * 100e6 / 1e15 + 2 * kFirstFill10MB_s,
              1e-12);
  const auto& bound = pipelined["bottleneck"];
  EXPECT_EQ(bound["bound"], "cpu");
  EXPECT_EQ(bound["busiest"]["cpu"], "client");
  EXPECT_NEAR(bound["utilisation"]["cpu"].get<double>(), 0.2 / copy_time(pipelined), 1e-9);  // the lane, not the memcpy
}

double share_sum(const nlohmann::json& bottleneck) {
  double sum = 0;
  for (const auto& [kind, share] : bottleneck["shares"].items()) sum += share.get<double>();
  return sum;
}

TEST(Bottleneck, PipelinedHostCopyIsBoundByTheLink) {
  // Four 10 MB requests in flight, free disk: READ data and WRITE data cross
  // the 1 Gb/s link in both directions at once, 100 MB each way = 0.8 s.
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", "queue_depth = 4\nhost_chunk = \"10MB\"", kFastDisk), "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& b = run["bottleneck"];
  EXPECT_EQ(b["bound"], "link");
  EXPECT_EQ(b["busiest"]["link"], "lan");
  EXPECT_NEAR(b["utilisation"]["link"].get<double>(), 0.8 / copy_time(run), 1e-9);
  // The reads before the first write and the writes after the last read use one direction only.
  EXPECT_GT(b["utilisation"]["link"].get<double>(), 0.85);
  EXPECT_LT(b["utilisation"]["disk"].get<double>() + b["utilisation"]["cpu"].get<double>(), 0.1);
  EXPECT_NEAR(share_sum(b), 1.0, 1e-9);
}

TEST(Bottleneck, SynchronousCopyIsBoundByTheDisk) {
  // 25 COPY calls of 4 MB, each 60 ms of the disk and 2 ms of round trip,
  // plus map and finish (4 ms): the disk is busy 1.5 s of 1.554 s, the rest
  // is round trips.
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, R"({ read = "200MBps", write = "100MBps" })"),
                      "nfs-copy-sync");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& b = run["bottleneck"];
  double span = 0.004 + 25 * 0.062;
  EXPECT_EQ(b["bound"], "disk");
  EXPECT_EQ(b["busiest"]["disk"], "filer-disk");
  EXPECT_NEAR(b["shares"]["disk"].get<double>(), 1.5 / span, 1e-4);
  EXPECT_NEAR(b["shares"]["round_trips"].get<double>(), 1 - 1.5 / span, 1e-3);  // less the stacks' few microseconds
  EXPECT_NEAR(share_sum(b), 1.0, 1e-9);
  EXPECT_GT(run["summary"]["client_cpu_s_per_GiB"].get<double>(), 0);
  EXPECT_GT(run["summary"]["server_cpu_s_per_GiB"].get<double>(), 0);
}

TEST(StackCpu, OffloadedCopiesCostClientAndServerCpu) {
  // Default stack costs and per_op_cpu: every COPY, CB_OFFLOAD and syscall costs a little.
  std::string toml = nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk);
  for (auto pos = toml.find("per_op_cpu = \"0s\"\n"); pos != std::string::npos; pos = toml.find("per_op_cpu = \"0s\"\n")) {
    toml.erase(pos, 18);
  }
  for (const char* method : {"nfs-copy-sync", "nfs-copy-async"}) {
    auto run = simulate(toml, method);
    ASSERT_FALSE(run.contains("error")) << run["error"];
    double client = run["metrics"]["cpu_busy_s"]["client"];
    double server = run["metrics"]["cpu_busy_s"]["filer"];
    EXPECT_GT(client, 0) << method;
    EXPECT_LT(client, 1e-3) << method;  // a few RPCs and syscalls, not the bytes
    EXPECT_GT(server, 0) << method;
  }
}

}  // namespace
}  // namespace offload::testing

namespace offload::testing {
namespace {

TEST(NfsWire, RpcSizesFollowTheirXdrEncodings) {
  // Without rpc_size each RPC is its XDR size (models/nfs_wire.hpp): every
  // call is record mark 4 + call header 76 + COMPOUND 12 + SEQUENCE 36 +
  // PUTFH 36 = 164 bytes before its operation, every reply 4 + 24 + 12 + 44
  // + 8 = 92. OPEN: 164 + 112 and 92 + 232; COPY (synchronous): 164 +
  // SAVEFH/PUTFH 40 + COPY 72 and 92 + 16 + 40; COMMIT + CLOSE: 164 + 40 and
  // 92 + 40. 100 MB in 4 MB COPYs: 25 of them, no data on the wire.
  std::string toml = nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk);
  toml.erase(toml.find("rpc_size = 0, "), 14);
  auto run = simulate(toml, "nfs-copy-sync");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  double open = 276 + 324, copy = 276 + 148, close = 204 + 132;
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["lan"].get<double>(), open + 25 * copy + close);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["copy_sync"], 25);
}

}  // namespace
}  // namespace offload::testing

namespace offload::testing {
namespace {

// Clients of one filer on one shared [[link]], far from saturated, each
// with its own NIC: every client's copy takes the time it takes alone.
// (SimGrid 3.32's selective LMM update, when a comm's latency ends, marks
// only the first link of its route as modified; if that link was already
// marked at this instant by another comm, the comm's other links were not,
// and its rate ignored its own NIC: the second client's copy came out 30 %
// faster than alone. The platform lists each route's most private link
// first, sim/platform.cpp.)
// A filer whose disk and memory cost nothing of note.
std::string free_filer(const std::string& name) {
  return "[[nfs_server]]\nname = \"" + name + R"("
cores = 32
memcpy_bandwidth = "1000GBps"
per_op_cpu = "0us"
disk = { read = "2000GBps", write = "1600GBps", latency = "0us" }
)";
}

std::string shared_link_clients(int clients) {
  return R"([scenario]
name = "shared-link"
methods = ["host"]
[engine]
queue_depth = 40
copy_depth = 16
host_chunk = "64MiB"
[[host]]
name = "c"
count = )" + std::to_string(clients) + R"(
cores = 8
memcpy_bandwidth = "600GBps"
per_op_cpu = "0us"
nic = "10Gbps"
)" + free_filer("f0") + R"([[link]]
name = "lan0"
bandwidth = "100Gbps"
latency = "50us"
between = ["c", "f0"]
[[copy]]
on = "c"
from = "f0:/img/golden.img"
to = "f0:/img/copy.img"
size = "1GiB"
count = 1
concurrency = 1
)";
}

TEST(Simulation, ClientsOnASharedUnsaturatedLinkTakeTheirTimeAlone) {
  auto alone = simulate(shared_link_clients(1), "host");
  auto together = simulate(shared_link_clients(3), "host");
  ASSERT_FALSE(alone.contains("error")) << alone["error"];
  ASSERT_FALSE(together.contains("error")) << together["error"];
  double solo_s = alone["copies"][0]["end_s"].get<double>();
  ASSERT_EQ(together["copies"].size(), 3U);
  for (const auto& copy : together["copies"]) {
    EXPECT_NEAR(copy["end_s"].get<double>(), solo_s, 1e-6 * solo_s) << copy["host"] << " " << together.dump();
  }
}

}  // namespace
}  // namespace offload::testing

namespace offload::testing {
namespace {

// The routes a scenario's platform gets, by first link: {"first": [link
// name sets of the routes that start on it, as "a,b,c"], ...}, and how
// many routes start on a link of their own ("route:..."). Made in a child.
nlohmann::json routes_by_first_link(const std::string& toml) {
  return in_child([&] {
    QuietEngine simulation("route-order-test");
    auto set = sim::load_scenario_text(toml, "routes.toml");
    sim::Platform platform(set.points.at(0));
    nlohmann::json out{{"by_first", nlohmann::json::object()}, {"own_head", 0}};
    std::map<std::string, std::set<std::string>> by_first;
    for (auto* a : simgrid::s4u::Engine::get_instance()->get_all_hosts()) {
      for (auto* b : simgrid::s4u::Engine::get_instance()->get_all_hosts()) {
        if (a == b) continue;
        std::vector<simgrid::s4u::Link*> links;
        double latency = 0;
        a->route_to(b, links, &latency);
        if (links.empty()) continue;
        std::string first = links.front()->get_name();
        if (first.starts_with("route:")) {
          out["own_head"] = out["own_head"].get<int>() + 1;
          continue;
        }
        std::set<std::string> names;
        for (auto* link : links) names.insert(link->get_name());
        std::string joined;
        for (const auto& name : names) joined += name + ",";
        by_first[first].insert(joined);
      }
    }
    for (const auto& [first, sets] : by_first) out["by_first"][first] = sets;
    return out;
  });
}

// What keeps SimGrid 3.32's selective update from leaving a comm's own
// links out of its rate (sim/platform.cpp add_routes): routes that start on
// the same link cross the same links; a client reaching two filers over two
// shared [[link]]s (its NIC the most private link of both) gets a link of
// its own at the head of each such route, a star layout none.
TEST(Simulation, RoutesThatStartOnOneLinkCrossTheSameLinks) {
  std::string two_lans = shared_link_clients(3);
  two_lans.replace(two_lans.find("[[link]]"), 0, free_filer("f1") + R"([[link]]
name = "lanB"
bandwidth = "10Gbps"
latency = "50us"
between = ["c", "f1"]
[[link]]
name = "core"
bandwidth = "100Gbps"
latency = "50us"
between = ["f0", "f1"]
)");
  // Star: no route of its own; two lans: each client's 4 routes through its NIC (to f0 and f1, both ways).
  for (const auto& [toml, own_heads] : {std::pair{shared_link_clients(3), 0}, std::pair{two_lans, 3 * 4}}) {
    auto routes = routes_by_first_link(toml);
    ASSERT_TRUE(routes.contains("by_first")) << routes.dump();
    for (const auto& [first, sets] : routes["by_first"].items()) {
      EXPECT_EQ(sets.size(), 1U) << "routes starting on " << first << " cross different links: " << sets.dump();
    }
    EXPECT_EQ(routes["own_head"].get<int>(), own_heads) << routes.dump();
  }
}

}  // namespace
}  // namespace offload::testing
