// The unchanged engine and its real LUN target (engine/targets/scsi_lun*)
// copying LUNs of a simulated array through real SCSI bytes: ranges split
// by the limits the initiator discovered (RECEIVE COPY RESULTS operating
// parameters), INVALID OPERATION CODE and an expired ROD token answered as
// sense and handled by the engine's ladder (fallback recorded with the
// sense, data still fully copied).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/scsi_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

constexpr double kSize = 1000.0 * 1048576;  // bytes copied: 1000 MiB, a whole number of 4 KiB blocks


const nlohmann::json& scsi_counts(const nlohmann::json& run) { return run["metrics"]["scsi"]["array"]; }
double method_bytes(const nlohmann::json& run, const char* method) {
  return run["copies"][0]["bytes_by_method"][method].get<double>();
}

TEST(ScsiOffload, XcopyIsSplitByTheDiscoveredMaximumSegmentLength) {
  auto run = simulate(scsi_lun_platform(R"(max_segment = "64MB")"), "xcopy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_DOUBLE_EQ(method_bytes(run, "scsi-xcopy"), kSize);
  // 64 MB cut to whole MiB by the initiator: 61 MiB segments, 16 full and one of 24 MiB.
  EXPECT_EQ(scsi_counts(run)["extended_copy"], std::ceil(kSize / (61.0 * 1048576)));
  EXPECT_EQ(scsi_counts(run)["receive_copy_results"], 2);  // operating parameters, at each LUN's discovery
  EXPECT_EQ(scsi_counts(run)["inquiry"], 12);  // standard, VPD 0x00, 0x80, 0x83, 0xB0, 0x8F of each LUN
  EXPECT_EQ(scsi_counts(run)["check_condition"], 0);
  EXPECT_LT(run["metrics"]["link_bytes"]["fc"].get<double>(), 64e3);  // commands only, no data
}

TEST(ScsiOffload, SeveralSegmentDescriptorsPerCommandWhereTheArrayAllowsThem) {
  auto run = simulate(scsi_lun_platform(R"(max_segment = "64MB", max_segment_descriptors = 4)"), "xcopy");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  EXPECT_EQ(scsi_counts(run)["extended_copy"], std::ceil(kSize / (4 * 61.0 * 1048576)));  // 5 commands
  EXPECT_DOUBLE_EQ(method_bytes(run, "scsi-xcopy"), kSize);
}

TEST(ScsiOffload, ArrayWithoutXcopyAnswersInvalidOperationCodeAndAutoFallsBack) {
  auto run = simulate(scsi_lun_platform("xcopy = false, odx = false"), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_EQ(copy["methods_used"], "host");
  EXPECT_DOUBLE_EQ(method_bytes(run, "host"), kSize);
  ASSERT_EQ(copy["fallbacks"].size(), 1U);
  const auto& fallback = copy["fallbacks"][0];
  EXPECT_EQ(fallback["from"], "scsi-xcopy");
  EXPECT_EQ(fallback["to"], "host");
  EXPECT_EQ(fallback["errno"], "EOPNOTSUPP");
  EXPECT_NE(fallback["detail"].get<std::string>().find("INVALID COMMAND OPERATION CODE"), std::string::npos)
      << fallback["detail"];
  // Discovery's RECEIVE COPY RESULTS was refused: EXTENDED COPY is never
  // sent, the refusal (with that answer) is the recorded fallback.
  EXPECT_EQ(scsi_counts(run)["extended_copy"], 0);
  EXPECT_EQ(scsi_counts(run)["receive_copy_results"], 2);
  auto pinned = simulate(scsi_lun_platform("xcopy = false, odx = false"), "xcopy");
  EXPECT_EQ(pinned["copies"][0]["state"], "failed");
  EXPECT_NE(pinned["copies"][0]["error"].get<std::string>().find("INVALID COMMAND OPERATION CODE"), std::string::npos)
      << pinned["copies"][0]["error"];
}

TEST(ScsiOffload, ExpiredTokensFallBackToHostPerRangeWithTheSense) {
  // Tokens outlive their inactivity timeout between POPULATE TOKEN and WRITE USING TOKEN.
  auto run = simulate(scsi_lun_platform(R"(xcopy = false, max_token = "256MiB", token_timeout = "1us")"), "auto");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_DOUBLE_EQ(copy["bytes_done"].get<double>(), kSize);
  EXPECT_DOUBLE_EQ(method_bytes(run, "host"), kSize);
  double tokens = std::ceil(kSize / 268435456.0);  // 4 ranges, each tried with ODX first
  const nlohmann::json* expired = nullptr;
  for (const auto& f : copy["fallbacks"]) {
    if (f["from"] == "scsi-odx") expired = &f;
  }
  ASSERT_NE(expired, nullptr) << copy["fallbacks"];
  EXPECT_EQ((*expired)["to"], "host");
  EXPECT_EQ((*expired)["errno"], "ESTALE");
  EXPECT_EQ((*expired)["ranges"], tokens);  // the method stays on: every range tries a token
  EXPECT_NE((*expired)["detail"].get<std::string>().find("TOKEN EXPIRED"), std::string::npos) << (*expired)["detail"];
  EXPECT_EQ(scsi_counts(run)["tokens_expired"], tokens);
  EXPECT_EQ(scsi_counts(run)["populate_token"], tokens);
}

TEST(ScsiOffload, OdxCopiesWithTokensAndPollsAtTheArraysDelay) {
  auto run = simulate(scsi_lun_platform(R"(max_token = "256MiB")"), "odx");
  ASSERT_FALSE(run.contains("error")) << run["error"];
  const auto& copy = run["copies"][0];
  EXPECT_EQ(copy["state"], "done");
  EXPECT_DOUBLE_EQ(method_bytes(run, "scsi-odx"), kSize);
  double tokens = std::ceil(kSize / 268435456.0);
  EXPECT_EQ(scsi_counts(run)["populate_token"], tokens);
  EXPECT_EQ(scsi_counts(run)["write_using_token"], tokens);
  // A 256 MiB token copy takes 256 MiB / 2 GB/s + 256 MiB / 1 GB/s = 0.403 s on the shared back
  // end: one RRTI for the token, then RRTI at once after WRITE USING TOKEN and every 100 ms (the
  // array's ESTIMATED STATUS UPDATE DELAY) until done: 1 + 6 for each of the 3 full tokens and
  // 1 + 5 for the last (232 MiB: 0.365 s).
  EXPECT_EQ(scsi_counts(run)["receive_rod_token_information"], 3 * 7 + 6);
}

}  // namespace
}  // namespace offload::testing
