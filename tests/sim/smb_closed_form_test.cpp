// The SMB server model against closed-form answers: request counts and
// bytes on the link for a given size and copychunk limits (message sizes
// from MS-SMB2, models/smb_wire.hpp), the client's retry after a refused
// request, duplicate extents, the refusals the engine falls back from, and
// a copy's time on a platform where only the link costs (CM02).
#include <gtest/gtest.h>

#include "models/smb_wire.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

using models::SmbRequest;
using models::smb_message_bytes;

// One client, one SMB server; free CPUs and disk; 1 Gb/s, 1 ms link.
std::string smb_platform(const std::string& copy, const std::string& fs, const std::string& engine,
                         const std::string& to = "nas:/share/b") {
  // One round trip per metadata exchange unless the test sets metadata_round_trips.
  std::string trips = copy.find("metadata_round_trips") == std::string::npos ? ", metadata_round_trips = 5" : "";
  return R"(
[scenario]
name = "smb-closed-form"
network_model = "CM02"
methods = ["host", "kernel-copy", "clone", "auto"]
[engine]
)" + engine + R"(
[[host]]
name = "client"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[smb_server]]
name = "nas"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = { read = "1PBps", write = "1PBps" }
fs = )" + fs + R"(
copy = { request_cpu = "0s", metadata_exchanges = 5)" + trips + (copy.empty() ? "" : ", " + copy) + R"( }
[[link]]
name = "lan"
bandwidth = "1Gbps"
latency = "1ms"
between = ["client", "nas"]
[[copy]]
on = "client"
from = "nas:/share/a"
to = ")" + to + R"("
size = "100MB"
)";
}

const std::string kReflinkFs = "{ reflink = true, copy_range_reflinks = true, clone_fixed_cpu = \"0s\", clone_cpu_per_GiB = \"0s\" }";
const std::string kExt4 = "{ reflink = false }";
const std::string kOneCall = "queue_depth = 1\nhost_chunk = \"10MB\"\nkernel_copy_chunk = \"100MB\"";
constexpr double kSize = 100e6;

double both(SmbRequest request, int chunks = 1) {
  return smb_message_bytes(request, false, chunks) + smb_message_bytes(request, true, chunks);
}
// The client's metadata exchanges around every copy (the platform's metadata_exchanges).
constexpr int kExchanges = 5;
double open_close() { return kExchanges * both(SmbRequest::metadata); }
double link_bytes(const nlohmann::json& run) { return run["metrics"]["link_bytes"]["lan"].get<double>(); }
const nlohmann::json& smb(const nlohmann::json& run) { return run["metrics"]["smb"]["nas"]; }

TEST(SmbClosedForm, MessageSizesFromTheSpec) {
  // Direct TCP 4 + SMB2 header 64 + the body (MS-SMB2 2.2.31, 2.2.31.1, 2.2.32.1).
  EXPECT_EQ(smb_message_bytes(SmbRequest::copychunk, false, 1), 4 + 64 + 56 + 32 + 24);
  EXPECT_EQ(smb_message_bytes(SmbRequest::copychunk, false, 256), 4 + 64 + 56 + 32 + 24 * 256);
  EXPECT_EQ(smb_message_bytes(SmbRequest::copychunk, true), 4 + 64 + 48 + 12);
  EXPECT_EQ(smb_message_bytes(SmbRequest::resume_key, true), 4 + 64 + 48 + 28);
  EXPECT_EQ(smb_message_bytes(SmbRequest::duplicate_extents, false), 4 + 64 + 56 + 40);
  EXPECT_EQ(smb_message_bytes(SmbRequest::read, false), 4 + 64 + 48);
  // CREATE + QUERY_INFO + CLOSE in one send: three headers (2.2.13-2.2.16, 2.2.37, 2.2.38).
  EXPECT_EQ(smb_message_bytes(SmbRequest::metadata, false), 4 + 3 * 64 + 88 + 40 + 24);
  EXPECT_EQ(smb_message_bytes(SmbRequest::metadata, true), 4 + 3 * 64 + 88 + 8 + 104 + 60);
  EXPECT_EQ(smb_message_bytes(SmbRequest::close, false), 4 + 64 + 24);  // 2.2.15, 2.2.16
  EXPECT_EQ(smb_message_bytes(SmbRequest::close, true), 4 + 64 + 60);
}

TEST(SmbClosedForm, HostCopyCarriesTheFileTwiceInMaxReadPieces) {
  auto run = simulate(smb_platform("max_read = \"4MiB\", max_write = \"4MiB\"", kReflinkFs, kOneCall), "host");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // 10 host chunks of 10 MB, each 3 READs (4 MiB, 4 MiB, the rest) and 3 WRITEs.
  EXPECT_EQ(smb(run)["read"], 30);
  EXPECT_EQ(smb(run)["write"], 30);
  EXPECT_EQ(smb(run)["copychunk"], 0);
  EXPECT_DOUBLE_EQ(link_bytes(run), 2 * kSize + 30 * both(SmbRequest::read) + 30 * both(SmbRequest::write) + open_close());
}

TEST(SmbClosedForm, CopychunkIsOneRequestPerClientChunk) {
  auto run = simulate(smb_platform("", kReflinkFs, kOneCall), "kernel-copy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(run["copies"][0]["methods_used"], "kernel-copy");
  // Linux: one 1 MiB chunk per request; 100 MB = 95.4 MiB -> 96 requests, after one resume key.
  EXPECT_EQ(smb(run)["resume_key"], 1);
  EXPECT_EQ(smb(run)["copychunk"], 96);
  EXPECT_EQ(smb(run)["chunks"], 96);
  EXPECT_EQ(smb(run)["read"], 0);
  EXPECT_DOUBLE_EQ(link_bytes(run), both(SmbRequest::resume_key) + 96 * both(SmbRequest::copychunk, 1) + open_close());
  // Only the link costs: every message is latency + size / bandwidth, one at a time.
  EXPECT_EQ(smb(run)["metadata"], kExchanges);
  double messages = 2 * (kExchanges + 1 + 96);
  double expected = messages * 1e-3 + link_bytes(run) / 125e6;
  EXPECT_NEAR(run["copies"][0]["latency_s"].get<double>(), expected, 1e-6);
}

TEST(SmbClosedForm, OneResumeKeyPerCopyFileRangeCall) {
  auto run = simulate(smb_platform("", kReflinkFs, "queue_depth = 1\nkernel_copy_chunk = \"20MB\""), "kernel-copy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  // 5 calls of 20 MB (19.07 MiB): 20 requests each.
  EXPECT_EQ(smb(run)["resume_key"], 5);
  EXPECT_EQ(smb(run)["copychunk"], 100);
}

TEST(SmbClosedForm, RequestAboveTheLimitsIsRefusedThenResent) {
  // The client asks 16 chunks of 2 MiB; the server takes 1 MiB chunks, 16 MiB a request.
  auto run = simulate(smb_platform("client_chunks = 16, client_chunk = \"2MiB\", max_chunk = \"1MiB\", max_request = \"16MiB\"",
                                   kReflinkFs, kOneCall),
                      "kernel-copy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(smb(run)["copychunk_refused"], 1);
  // Then 16 chunks of 1 MiB per request: 6 requests (the last one 15.4 MiB, 16 chunks).
  EXPECT_EQ(smb(run)["copychunk"], 1 + 6);
  EXPECT_EQ(smb(run)["chunks"], 96);
  EXPECT_DOUBLE_EQ(link_bytes(run), both(SmbRequest::resume_key) + 7 * both(SmbRequest::copychunk, 16) + open_close());
}

TEST(SmbClosedForm, DuplicateExtentsIsOneRequest) {
  auto run = simulate(smb_platform("", kReflinkFs, kOneCall), "clone");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(run["copies"][0]["methods_used"], "clone");
  EXPECT_EQ(smb(run)["duplicate_extents"], 1);
  EXPECT_DOUBLE_EQ(link_bytes(run), both(SmbRequest::duplicate_extents) + open_close());
}

TEST(SmbClosedForm, MetadataExchangesRideInTheRoundTripsTheClientWaitsFor) {
  // 5 exchanges in 2 round trips (3 and 2 riding), then in 8 (3 of them a CLOSE alone).
  for (int trips : {2, 8}) {
    auto run = simulate(smb_platform("metadata_round_trips = " + std::to_string(trips), kReflinkFs, kOneCall), "clone");
    ASSERT_FALSE(run.contains("error")) << run["error"];
    EXPECT_EQ(smb(run)["metadata"], kExchanges);
    EXPECT_EQ(smb(run)["metadata_round_trips"], trips);
    double bytes = open_close() + std::max(0, trips - kExchanges) * both(SmbRequest::close) +
                   both(SmbRequest::duplicate_extents);
    EXPECT_DOUBLE_EQ(link_bytes(run), bytes);
    // Only the link costs: each round trip and the duplicate extents is 2 latencies, one after the other.
    EXPECT_NEAR(run["copies"][0]["latency_s"].get<double>(), 2 * (trips + 1) * 1e-3 + bytes / 125e6, 1e-6) << trips;
  }
}

TEST(SmbClosedForm, Ext4RefusesDuplicateExtentsAndAutoFallsBack) {
  auto run = simulate(smb_platform("", kExt4, kOneCall), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(run["copies"][0]["methods_used"], "kernel-copy");
  EXPECT_EQ(smb(run)["duplicate_extents"], 1);
  EXPECT_EQ(smb(run)["copychunk"], 96);
  EXPECT_EQ(link_bytes(run) < 1e5, true);  // the server copied: no data on the link
}

TEST(SmbClosedForm, CloneAcrossSharesIsExdevCopychunkIsNot) {
  auto run = simulate(smb_platform("", kReflinkFs, kOneCall, "nas:/other/b"), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(run["copies"][0]["methods_used"], "kernel-copy");
  EXPECT_EQ(smb(run)["duplicate_extents"], 0);  // the VFS said EXDEV before any request
  EXPECT_EQ(smb(run)["copychunk"], 96);
}

TEST(SmbClosedForm, CreditsThatWouldBindAreRefused) {
  try {
    sim::load_scenario_text(smb_platform("max_credits = 64", kReflinkFs, "queue_depth = 8\nhost_chunk = \"4MiB\""), "t.toml");
    FAIL() << "accepted";
  } catch (const sim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("copy.max_credits"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace offload::testing
