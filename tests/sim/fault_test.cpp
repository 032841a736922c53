// Faults injected by a scenario's [[fault]] entries (sim/faults.hpp), on
// closed-form platforms (tests/sim/nfs_platform.hpp: CM02, 1 Gb/s link with
// 1 ms latency, free CPUs, RPC headers of 0 bytes): each copy ends in a
// defined state at the time the recovery protocol gives, and the results
// record the faults applied and what they did to each copy.
#include <gtest/gtest.h>

#include "tests/sim/nfs_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

constexpr double kTolerance_s = 1e-5;

const std::string kSlowDisk = R"({ read = "200MBps", write = "100MBps" })";

std::string fault(const std::string& body) { return "[[fault]]\n" + body + "\n"; }

const nlohmann::json& only_copy(const nlohmann::json& run) { return run["copies"][0]; }

TEST(Faults, LinkDownDelaysAHostCopyByItsDuration) {
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk,
                                   fault("kind = \"link_down\"\nlink = \"lan\"\nat = \"500ms\"\nduration = \"2s\"")),
                      "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  EXPECT_EQ(copy["state"], "done");
  // Without the fault: map (2 ms), 10 x [READ 1 ms + 1 ms + 80 ms, WRITE
  // 1 ms + 80 ms + 1 ms], finish (2 ms) = 1.644 s. The fourth READ's data
  // left at 0.495 s; the link fails it at 0.5 s, so it is sent again in
  // full when the link is back at 2.5 s: the copy ends D + 5 ms later.
  EXPECT_NEAR(copy["latency_s"].get<double>(), 1.644 + 2.0 + 0.005, kTolerance_s);
  EXPECT_EQ(copy["retries"], 1);
  EXPECT_EQ(copy["methods_used"], "host");
  EXPECT_DOUBLE_EQ(run["metrics"]["link_bytes"]["lan"].get<double>(), 2 * 100e6 + 10e6);  // the resent READ
  ASSERT_EQ(run["faults"].size(), 1U);
  EXPECT_EQ(run["faults"][0]["kind"], "link_down");
  EXPECT_EQ(run["faults"][0]["target"], "lan");
  EXPECT_NEAR(run["faults"][0]["applied_s"].get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(run["faults"][0]["restored_s"].get<double>(), 2.5, 1e-12);
  EXPECT_EQ(run["summary"]["retries"], 1);
}

TEST(Faults, OverlappingOutagesKeepTheLinkDownUntilTheLastEnds) {
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk,
                                   fault("kind = \"link_down\"\nlink = \"lan\"\nat = \"500ms\"\nduration = \"2s\"") +
                                       fault("kind = \"link_down\"\nlink = \"lan\"\nat = \"1s\"\nduration = \"2s\"")),
                      "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // Down from 0.5 s to 3 s: the READ that failed at 0.5 s is resent at 3 s.
  EXPECT_NEAR(only_copy(run)["latency_s"].get<double>(), 1.644 + 2.5 + 0.005, kTolerance_s);
  EXPECT_EQ(only_copy(run)["retries"], 1);
  EXPECT_EQ(run["faults"].size(), 2U);
}

TEST(Faults, AFaultDueAfterTheLastCopyIsNotApplied) {
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kFastDisk,
                                   fault("kind = \"link_down\"\nlink = \"lan\"\nat = \"10s\"\nduration = \"2s\"")),
                      "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_NEAR(only_copy(run)["latency_s"].get<double>(), 1.644 + kFirstFill10MB_s, kTolerance_s);  // as without it (plus the buffer's first fill)
  EXPECT_EQ(run["faults"].size(), 0U);
  EXPECT_EQ(run["summary"]["faults_applied"], 0);
  EXPECT_NEAR(run["sim_time_s"].get<double>(), 1.644 + kFirstFill10MB_s, kTolerance_s);  // the fault's actor did not keep it running
}

TEST(Faults, ServerRestartRedrivesAnAsyncCopyFromTheStart) {
  auto run = simulate(nfs_platform("poll_interval = \"500ms\"", kOneCopyCall, kSlowDisk,
                                   fault("kind = \"nfs_server_restart\"\nserver = \"filer\"\nat = \"500ms\"\nduration = \"1200ms\"")),
                      "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  EXPECT_EQ(copy["state"], "done");
  EXPECT_EQ(copy["redrives"], 1);
  // The copy started at 3 ms is lost with the server at 0.5 s (its stage
  // runs out at 1.503 s while the server is down, for nothing). The client's
  // poll at 0.504 s waits for the server (back at 1.7 s), learns the copy is
  // gone (1.702 s) and sends COPY again: it reaches the server at 1.703 s,
  // copies 100 MB / 200 MB/s + 100 MB / 100 MB/s = 1.5 s, CB_OFFLOAD at
  // 3.204 s, then finish (2 ms).
  EXPECT_NEAR(copy["latency_s"].get<double>(), 3.206, kTolerance_s);
  const auto& nfs = run["metrics"]["nfs"]["filer"];
  EXPECT_EQ(nfs["copy_async"], 2);
  EXPECT_EQ(nfs["redrives"], 1);
  EXPECT_EQ(nfs["cb_offload"], 1);
  EXPECT_NEAR(run["faults"][0]["restored_s"].get<double>(), 1.7, 1e-12);
}

TEST(Faults, ServerRestartRetriesTheSyncCopyInFlight) {
  auto run = simulate(nfs_platform("sync_cap = \"4MB\"", kSerialEngine, kSlowDisk,
                                   fault("kind = \"nfs_server_restart\"\nserver = \"filer\"\nat = \"500ms\"\nduration = \"1s\"")),
                      "nfs-copy-sync");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  EXPECT_EQ(copy["state"], "done");
  // 25 calls of 4 MB, each 2 ms + 4 MB / 200 MB/s + 4 MB / 100 MB/s = 62 ms,
  // after the 2 ms map. Call 8 (from 0.498 s) loses its reply to the restart;
  // the client sends it again when the server is back at 1.5 s, then the
  // other 16, then finish (2 ms).
  EXPECT_NEAR(copy["latency_s"].get<double>(), 1.5 + 17 * 0.062 + 0.002, kTolerance_s);
  EXPECT_EQ(copy["retries"], 1);
  EXPECT_EQ(copy["bytes_done"], 100000000);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["copy_sync"], 26);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["retransmits"], 1);
}

TEST(Faults, LostCallbackIsFoundByPolling) {
  auto run = simulate(nfs_platform("poll_interval = \"300ms\"", kOneCopyCall, kSlowDisk,
                                   fault("kind = \"cb_offload_lost\"\nserver = \"filer\"")),
                      "nfs-copy-async");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  EXPECT_EQ(copy["state"], "done");
  EXPECT_EQ(copy["callbacks_lost"], 1);
  // As with no callback at all (closed_form_test.cpp): polls end at 0.306,
  // 0.608, 0.910, 1.212 and 1.514 s (the server finished at 1.503 s).
  EXPECT_NEAR(copy["latency_s"].get<double>(), 1.516, kTolerance_s);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["cb_offload"], 0);
  EXPECT_EQ(run["metrics"]["nfs"]["filer"]["cb_offload_lost"], 1);
  EXPECT_EQ(run["faults"][0]["count"], 1);
}

// One initiator and one array, 1 Gb/s link with 1 ms latency, free CPUs,
// commands of 0 bytes; the back end reads 200 MB/s and writes 100 MB/s.
std::string scsi_platform(const std::string& copy_options, const std::string& faults) {
  return R"(
[scenario]
name = "scsi-faults"
network_model = "CM02"
methods = ["xcopy", "auto"]
[engine]
queue_depth = 1
copy_depth = 1
host_chunk = "25MiB"
device_chunk = "100MiB"
[[host]]
name = "esx"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[scsi_array]]
name = "array"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = { read = "200MBps", write = "100MBps" }
copy = { command_size = 0, command_cpu = "0s", populate_cpu = "0s", poll_interval = "100ms", )" + copy_options + R"( }
[[link]]
name = "fc"
bandwidth = "1Gbps"
latency = "1ms"
between = ["esx", "array"]
[[copy]]
on = "esx"
from = "array:lun1"
to = "array:lun2"
size = "100MiB"
)" + faults;
}

TEST(Faults, AbortedXcopySegmentFailsTheCopyWithTheBytesDone) {
  auto run = simulate(scsi_platform("max_segment = \"25MiB\"",
                                    fault("kind = \"xcopy_segment_fail\"\narray = \"array\"\nat = \"500ms\"")),
                      "xcopy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  // Opening the two LUNs runs the initiator's discovery (READ CAPACITY,
  // INQUIRY, VPD 0x00, 0x83, 0x80, 0xB0, 0x8F and RECEIVE COPY RESULTS
  // operating parameters on each: 16 round trips of 2 ms). Segments of 25 MiB
  // take 2 ms + 25 MiB / 200 MB/s + 25 MiB / 100 MB/s = 0.395216 s: the
  // second runs at 0.5 s, the third is the next the array receives and comes
  // back COPY ABORTED, which a pinned scsi-xcopy cannot fall back from.
  EXPECT_EQ(copy["state"], "failed");
  EXPECT_EQ(copy["bytes_done"], 2 * 25 * 1048576);
  EXPECT_NE(copy["error"].get<std::string>().find("EREMOTEIO"), std::string::npos) << copy["error"];
  EXPECT_NE(copy["error"].get<std::string>().find("COPY ABORTED"), std::string::npos) << copy["error"];
  EXPECT_NEAR(copy["end_s"].get<double>(), 16 * 0.002 + 2 * 0.395216 + 0.002, 0.002);
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["segments_failed"], 1);
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["extended_copy"], 3);
}

TEST(Faults, UnitAttentionIsRetriedAndTheCopyStaysOffloaded) {
  // Two resets: at 1 ms (during discovery's READ CAPACITY, so its first
  // INQUIRY is answered UNIT ATTENTION) and at 500 ms (the third EXTENDED
  // COPY is).
  // Each answered command was not run and is sent again: same EXTENDED
  // COPY count as without faults, no fallback, one extra round trip each.
  auto run = simulate(scsi_platform("max_segment = \"25MiB\"",
                                    fault("kind = \"unit_attention\"\narray = \"array\"\nat = \"1ms\"") +
                                        fault("kind = \"unit_attention\"\narray = \"array\"\nat = \"500ms\"")),
                      "xcopy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  EXPECT_EQ(copy["state"], "done") << copy;
  EXPECT_EQ(copy["bytes_by_method"]["scsi-xcopy"], 100 * 1048576);
  EXPECT_TRUE(copy["fallbacks"].empty()) << copy["fallbacks"];
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["unit_attentions"], 2);
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["check_condition"], 2);
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["extended_copy"], 4);
  // Discovery (16 round trips of 2 ms), 4 segments of 0.395216 s,
  // SYNCHRONIZE CACHE, and the two repeated commands' round trips (2 ms each).
  EXPECT_NEAR(copy["end_s"].get<double>(), 16 * 0.002 + 4 * 0.395216 + 0.002 + 2 * 0.002, 0.003);
}

TEST(Faults, ExpiredTokenFallsBackToHostForItsRange) {
  auto run = simulate(scsi_platform("xcopy = false, max_token = \"25MiB\"",
                                    fault("kind = \"odx_token_expire\"\narray = \"array\"\nat = \"35ms\"")),
                      "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = only_copy(run);
  // auto tries EXTENDED COPY first: discovery's RECEIVE COPY RESULTS was
  // answered INVALID FIELD IN CDB (no XCOPY), so the target refuses it
  // without a command; then ODX. The first token is made after discovery
  // (16 round trips of 2 ms) at ~33 ms and expires at 35 ms, before its
  // WRITE USING TOKEN reaches the array: TOKEN EXPIRED, and the engine copies
  // that range through the host; the other three tokens are made after.
  EXPECT_EQ(copy["state"], "done");
  ASSERT_EQ(copy["fallbacks"].size(), 2U) << copy["fallbacks"];
  EXPECT_EQ(copy["fallbacks"][0]["from"], "scsi-xcopy");
  EXPECT_EQ(copy["fallbacks"][0]["errno"], "EOPNOTSUPP");
  EXPECT_NE(copy["fallbacks"][0]["detail"].get<std::string>().find("INVALID FIELD IN CDB"), std::string::npos);
  EXPECT_EQ(copy["fallbacks"][1]["from"], "scsi-odx");
  EXPECT_EQ(copy["fallbacks"][1]["to"], "host");
  EXPECT_EQ(copy["fallbacks"][1]["errno"], "ESTALE");
  EXPECT_NE(copy["fallbacks"][1]["detail"].get<std::string>().find("TOKEN EXPIRED"), std::string::npos);
  EXPECT_EQ(copy["bytes_by_method"]["host"], 25 * 1048576);
  EXPECT_EQ(copy["bytes_by_method"]["scsi-odx"], 75 * 1048576);
  EXPECT_EQ(run["metrics"]["scsi"]["array"]["tokens_expired"], 1);
}

TEST(Faults, SameScenarioAndSeedGiveIdenticalResults) {
  std::string toml = nfs_platform("poll_interval = \"300ms\", async = true", kSerialEngine, kSlowDisk,
                                  fault("kind = \"link_down\"\nlink = \"lan\"\nat = \"100ms\"\nduration = \"1s\"") +
                                      fault("kind = \"nfs_server_restart\"\nserver = \"filer\"\nat = \"1500ms\"\nduration = \"1s\"") +
                                      fault("kind = \"cb_offload_lost\"\nserver = \"filer\"\nat = \"3s\"\ncount = 2"));
  auto first = simulate(toml, "nfs-copy-async");
  auto second = simulate(toml, "nfs-copy-async");
  ASSERT_FALSE(first.contains("error")) << first["error"];
  first.erase("wall_s");
  second.erase("wall_s");
  EXPECT_EQ(first, second);
  EXPECT_EQ(first["faults"].size(), 3U);
  EXPECT_EQ(first["summary"]["done"], 1);
}

}  // namespace
}  // namespace offload::testing
