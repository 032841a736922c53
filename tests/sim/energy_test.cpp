// Energy against closed-form answers (sim/energy.hpp): a host is charged
// busy watts for its busy seconds and idle watts for the rest of the
// charged interval (SimGrid's host energy model, models/power.hpp); a link idle watts plus
// (busy - idle) x utilisation (integrated from its bytes, sim/energy.hpp).
#include <gtest/gtest.h>

#include "tests/sim/nfs_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

// One host with a 1-core CPU and a disk, copying 1 GiB on its own disk by
// host reads and writes; 50 W idle, 150 W busy; the disk 4 W idle, 9 W busy.
const std::string kOneHost = R"(
[scenario]
name = "energy"
network_model = "CM02"
methods = ["host"]
[energy]
client = { idle = 50, busy = 150 }
disk = { idle = 4, busy = 9 }
[[host]]
name = "box"
cores = 1
memcpy_bandwidth = "2GBps"
disk = { read = "1GBps", write = "500MBps" }
[[copy]]
on = "box"
from = "local:/a"
to = "local:/b"
size = "1GiB"
start = "2s"
)";

TEST(Energy, HostIsBusyWattsTimesBusySecondsPlusIdleWattsTimesTheRest) {
  auto run = simulate(kOneHost, "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& energy = run["energy"];
  double interval = energy["interval_s"];
  // The charged interval is the makespan: the copy's submit (at 2 s) to its end.
  EXPECT_DOUBLE_EQ(energy["start_s"].get<double>(), 2.0);
  EXPECT_NEAR(interval, run["summary"]["makespan_s"].get<double>(), 1e-9);
  double cpu_busy = run["metrics"]["cpu_busy_s"]["box"];
  double disk_busy = run["metrics"]["disks"]["box-disk"]["busy_s"];
  ASSERT_GT(cpu_busy, 0.5);           // 2 x 1 GiB through memory at 2 GB/s
  ASSERT_LT(cpu_busy, interval - 0.1);  // and idle for part of the copy
  ASSERT_GT(disk_busy, 3.0);          // 1 GiB / 1 GB/s + 1 GiB / 500 MB/s
  double host_J = 150 * cpu_busy + 50 * (interval - cpu_busy);
  double disk_J = 9 * disk_busy + 4 * (interval - disk_busy);
  EXPECT_NEAR(energy["by_source"]["box"].get<double>(), host_J, 1e-6 * host_J);
  EXPECT_NEAR(energy["by_source"]["box-disk"].get<double>(), disk_J, 1e-6 * disk_J);
  EXPECT_NEAR(energy["client_J"].get<double>(), host_J + disk_J, 1e-6 * (host_J + disk_J));
  EXPECT_EQ(energy["server_J"].get<double>(), 0);
  EXPECT_EQ(energy["network_J"].get<double>(), 0);
  EXPECT_NEAR(energy["total_J_per_GiB"].get<double>(), energy["total_J"].get<double>(), 1e-9);  // 1 GiB copied
}

TEST(Energy, LinkIsIdleWattsPlusBusyShareOfItsTraffic) {
  // A host copy over NFS: 100 MB read and 100 MB written across a 125 MB/s
  // link (no latency, so every byte on it moves at full bandwidth).
  std::string toml = nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk,
                                  "[energy]\nlink = { idle = 2, busy = 10 }\n");
  toml.replace(toml.find("latency = \"1ms\""), 15, "latency = \"0s\"");
  auto run = simulate(toml, "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& energy = run["energy"];
  double interval = energy["interval_s"];
  double bytes = run["metrics"]["link_bytes"]["lan"];
  EXPECT_DOUBLE_EQ(bytes, 200e6);  // READ + WRITE, no RPC headers
  EXPECT_NEAR(interval, 200e6 / 125e6, 0.01);  // the link's time, plus the stack's CPU
  // Each direction: 1 W + 4 W x its utilisation; together over the interval:
  // 2 W x interval + 4 W x (bytes up + bytes down) / bandwidth.
  double expected = 2 * interval + 4 * bytes / 125e6;
  EXPECT_NEAR(energy["network_J"].get<double>(), expected, 1e-6 * expected);
  EXPECT_NEAR(energy["by_source"]["lan"].get<double>(), expected, 1e-6 * expected);
  EXPECT_GT(energy["server_J"].get<double>(), 0);  // the filer's idle watts at least
}

TEST(Energy, ProfilesAreCheckedWhenLoaded) {
  std::string toml = kOneHost;
  toml.replace(toml.find("idle = 50"), 9, "idle = -5");
  try {
    sim::load_scenario_text(toml, "bad.toml");
    FAIL() << "negative watts accepted";
  } catch (const sim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("[energy].client"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("idle"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace offload::testing
