// The unchanged engine and its NVMe namespace target
// (engine/targets/nvme_namespace*) copying within a namespace of the
// simulated NVMe-oF controller (models/nvme_controller.hpp) through real
// Copy, Read, Write and Identify bytes, against closed forms: the number of
// Copy commands and Source Range Entries for a size and the namespace's
// MSSRL / MSRC / MCL, the fabric bytes of an offloaded copy (command
// capsules only) and of a host copy (the data twice plus the NVMe/TCP
// PDUs), the copy's time on a serial engine, and the recorded fallback
// where Copy cannot run.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/targets/nvme_namespace.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

constexpr double kSize = 1000.0 * 1048576;  // bytes copied: 1000 MiB, whole 4 KiB blocks
constexpr double kBlock = 4096;
constexpr double kLink_Bps = 125e6;         // 1 Gb/s
constexpr double kLatency_s = 10e-6;
constexpr double kFlashRead_Bps = 2e9, kFlashWrite_Bps = 1e9;
// NVMe/TCP PDUs (the [[nvme_target]] fabric defaults): CapsuleCmd, CapsuleResp, data PDU header, Identify data.
constexpr double kCommand = 72, kResponse = 24, kDataHeader = 24, kIdentifyData = 4096;

// One initiator, one controller with 4 KiB blocks, a 1 Gb/s link, free CPUs
// and stacks (CM02: no cross-traffic), one copy of kSize within ns1 by a
// serial engine (one operation in flight); `copy` adds keys to the copy table.
std::string nvme_platform(const std::string& copy, const std::string& to = "target:ns1") {
  return R"(
[scenario]
name = "nvme"
network_model = "CM02"
methods = ["host", "nvme-copy", "auto"]
[engine]
queue_depth = 1
host_chunk = "8MiB"
device_chunk = "1GiB"
[[host]]
name = "initiator"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
stack = { send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }
[[nvme_target]]
name = "target"
per_op_cpu = "0s"
stack = { send_cycles_per_byte = 0, receive_cycles_per_byte = 0, message_cycles = 0 }
block_size = "4KiB"
flash = { read = "2GBps", write = "1GBps" }
copy = { )" + copy + R"( }
[[link]]
name = "fabric"
bandwidth = "1Gbps"
latency = "10us"
between = ["initiator", "target"]
[[copy]]
on = "initiator"
from = "target:ns1"
to = ")" + to + R"("
size = "1000MiB"
)";
}

const nlohmann::json& nvme_counts(const nlohmann::json& run) { return run["metrics"]["nvme"]["target"]; }
double fabric_bytes(const nlohmann::json& run) { return run["metrics"]["link_bytes"]["fabric"]; }
double count(const nlohmann::json& run, const char* name) { return nvme_counts(run)[name].get<double>(); }
// Bytes of the Identify exchanges and the final Flush.
double open_and_flush_bytes(const nlohmann::json& run) {
  return count(run, "identify") * (kCommand + kDataHeader + kIdentifyData + kResponse) + count(run, "flush") * (kCommand + kResponse);
}

struct Limits {
  double mssrl, msrc, mcl;  // blocks, 0's based count, blocks
};

class NvmeCopyLimits : public ::testing::TestWithParam<Limits> {};

TEST_P(NvmeCopyLimits, CommandsAndRangesFollowMssrlMsrcAndMcl) {
  const Limits limits = GetParam();
  auto run = simulate(nvme_platform("mssrl = " + std::to_string(int(limits.mssrl)) + ", msrc = " + std::to_string(int(limits.msrc)) +
                                    ", mcl = " + std::to_string(std::int64_t(limits.mcl))),
                      "nvme-copy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_DOUBLE_EQ(copy["bytes_by_method"]["nvme-copy"].get<double>(), kSize);
  // Each command moves min(MCL, (MSRC + 1) x MSSRL) blocks, the last one the rest.
  const double blocks = kSize / kBlock;
  const double per_command = std::min(limits.mcl, (limits.msrc + 1) * limits.mssrl);
  const double full = std::floor(blocks / per_command), rest = blocks - full * per_command;
  const double commands = full + (rest > 0 ? 1 : 0);
  const double ranges = full * std::ceil(per_command / limits.mssrl) + std::ceil(rest / limits.mssrl);
  EXPECT_EQ(count(run, "copy"), commands);
  EXPECT_EQ(count(run, "copy_ranges"), ranges);
  EXPECT_EQ(count(run, "errors"), 0);
  EXPECT_EQ(count(run, "read") + count(run, "write"), 0);
  // Only capsules cross the fabric: each Copy's 72-byte CapsuleCmd with 32 bytes per range, its CapsuleResp.
  EXPECT_DOUBLE_EQ(fabric_bytes(run), commands * (kCommand + kResponse) + ranges * 32 + open_and_flush_bytes(run));
}

INSTANTIATE_TEST_SUITE_P(Nvme, NvmeCopyLimits,
                         ::testing::Values(Limits{256, 15, 4096},      // 16 ranges of 1 MiB, 16 MiB per command
                                           Limits{100, 3, 65536},      // MSSRL and MSRC bind: 400 blocks per command
                                           Limits{65535, 255, 1000},   // MCL binds: 1000 blocks, one range
                                           Limits{128, 127, 128}));    // QEMU's defaults: one 128-block range

TEST(NvmeController, HostCopyMovesTheDataTwicePlusItsPdus) {
  auto run = simulate(nvme_platform("mssrl = 256, msrc = 15, mcl = 4096"), "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_DOUBLE_EQ(copy["bytes_by_method"]["host"].get<double>(), kSize);
  // Reads and Writes of at most the engine's passthrough transfer (MDTS 0: no controller limit).
  const double commands = kSize / static_cast<double>(kNvmeMaxHostTransferBytes);
  EXPECT_EQ(count(run, "read"), commands);
  EXPECT_EQ(count(run, "write"), commands);
  EXPECT_EQ(count(run, "copy"), 0);
  // Read: CapsuleCmd, C2HData + data, CapsuleResp. Write (past 16 KiB in-capsule): CapsuleCmd, R2T, H2CData + data, CapsuleResp.
  const double read_pdus = kCommand + kDataHeader + kResponse, write_pdus = kCommand + 2 * kDataHeader + kResponse;
  EXPECT_DOUBLE_EQ(fabric_bytes(run), 2 * kSize + commands * (read_pdus + write_pdus) + open_and_flush_bytes(run));
}

TEST(NvmeController, OffloadedCopyTimeIsTheFlashPlusOneRoundTripPerCommand) {
  auto offload = simulate(nvme_platform("mssrl = 256, msrc = 15, mcl = 4096"), "nvme-copy");
  auto host = simulate(nvme_platform("mssrl = 256, msrc = 15, mcl = 4096"), "host");
  ASSERT_FALSE(offload.contains("error")) << offload["error"];
  ASSERT_FALSE(host.contains("error")) << host["error"];
  // From submit (the Identify exchanges at open come before): the flash
  // reads and writes every byte (sharing its time: B/r + B/w); each Copy
  // and the Flush is a command and a response, each paying the latency and
  // its bytes at the link rate.
  const double flash_s = kSize / kFlashRead_Bps + kSize / kFlashWrite_Bps;
  const double messages = 2 * (count(offload, "copy") + count(offload, "flush"));
  const double identify_bytes = count(offload, "identify") * (kCommand + kDataHeader + kIdentifyData + kResponse);
  const double expected = flash_s + messages * kLatency_s + (fabric_bytes(offload) - identify_bytes) / kLink_Bps;
  EXPECT_NEAR(offload["copies"][0]["latency_s"].get<double>(), expected, 1e-6 * expected);
  // The host copy cannot beat its data on the link: kSize each way.
  EXPECT_GT(host["copies"][0]["latency_s"].get<double>(), kSize / kLink_Bps);
  EXPECT_GT(host["copies"][0]["latency_s"].get<double>(), 5 * expected);
}

TEST(NvmeController, ControllerWithoutCopyFallsBackToHostWithTheReason) {
  auto run = simulate(nvme_platform("copy = false"), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_EQ(copy["methods_used"], "host");
  ASSERT_EQ(copy["fallbacks"].size(), 1U);
  EXPECT_EQ(copy["fallbacks"][0]["from"], "nvme-copy");
  EXPECT_NE(copy["fallbacks"][0]["detail"].get<std::string>().find("ONCS bit 8"), std::string::npos) << copy["fallbacks"][0];
  EXPECT_EQ(count(run, "copy"), 0);  // refused at open from Identify: nothing sent
  auto pinned = simulate(nvme_platform("copy = false"), "nvme-copy");
  EXPECT_EQ(pinned["copies"][0]["state"], "failed");
}

TEST(NvmeController, TwoNamespacesCannotCopyByNvmeCopy) {
  auto run = simulate(nvme_platform("", "target:ns2"), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["methods_used"], "host");
  ASSERT_EQ(copy["fallbacks"].size(), 1U);
  EXPECT_NE(copy["fallbacks"][0]["detail"].get<std::string>().find("different namespaces"), std::string::npos) << copy["fallbacks"][0];
}

// The loader's error for `text`, or "" when it loads.
std::string load_error(const std::string& text) {
  try {
    sim::load_scenario_text(text, "nvme.toml");
  } catch (const sim::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(NvmeController, BadTargetEntriesAreRefusedNamingTheKey) {
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    return text.replace(text.find(from), from.size(), to);
  };
  const std::string good = nvme_platform("");
  EXPECT_EQ(load_error(good), "");
  std::string error = load_error(replace(good, "to = \"target:ns1\"", "to = \"target:lun1\""));
  EXPECT_NE(error.find("'to': 'target:lun1' should name a namespace"), std::string::npos) << error;
  error = load_error(replace(good, "block_size = \"4KiB\"", "block_size = \"3KiB\""));
  EXPECT_NE(error.find("'block_size': must be a power of two"), std::string::npos) << error;
  error = load_error(replace(good, "copy = {  }", "copy = { msrc = 256 }"));
  EXPECT_NE(error.find("'msrc'"), std::string::npos) << error;
  error = load_error(replace(good, "copy = {  }", "copy = { mssrl = 0 }"));
  EXPECT_NE(error.find("'mssrl'"), std::string::npos) << error;
}

}  // namespace
}  // namespace offload::testing
