// One sense sequence, two devices, one engine result: the same scripted
// answers (COPY ABORTED on the first EXTENDED COPY, INVALID OPERATION CODE
// for every third-party copy command, UNIT ATTENTION on the first command,
// TOKEN EXPIRED on every WRITE USING TOKEN) are given by a fake array in the
// real SG_IO format (tests/scsi/scripted_array.hpp, run by the real engine
// on threads) and by the simulated array through its fault injection (run
// by `offload sim`'s simulation). Both go through the same ScsiLunTarget and
// scsi::errno_for, so the engine must end the same way on both: state,
// errno, fallbacks (from, to, errno, ranges, bytes) and bytes per method;
// each case also checks the errno the table in engine/scsi/sense_errno.hpp
// promises.
#include <gtest/gtest.h>

#include <regex>

#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/status_json.hpp"
#include "engine/targets/scsi_lun.hpp"
#include "tests/scsi/scripted_array.hpp"
#include "tests/sim/scsi_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;
// The limits both arrays report: 4 KiB blocks, 64 MiB segments and tokens.
constexpr const char* kLimits = R"(max_segment = "64MiB", max_token = "64MiB")";
const ScriptedArraySpec kScriptedLimits{.block_bytes = 4096, .max_segment_bytes = 64 * kMiB, .max_token_bytes = 64 * kMiB};

// What the engine did with a copy, without words or timing.
nlohmann::json outcome(const std::string& state, const std::string& error, nlohmann::json fallbacks,
                       nlohmann::json bytes_by_method) {
  for (auto& fallback : fallbacks) {
    fallback.erase("detail");
    fallback.erase("first_offset");
  }
  std::smatch errno_name;
  std::regex_search(error, errno_name, std::regex(R"(\((E[A-Z0-9]+)\)$)"));
  return {{"state", state}, {"errno", errno_name.empty() ? "" : errno_name[1].str()},
          {"fallbacks", fallbacks}, {"bytes_by_method", bytes_by_method}};
}

// The simulated array: `copy_keys` configure it, `faults` inject the sequence.
nlohmann::json simulated(const std::string& copy_keys, const std::string& faults, const std::string& method) {
  auto run = simulate(scsi_lun_platform(copy_keys) + faults, method);
  if (run.contains("error")) return run;
  const auto& copy = run["copies"][0];
  return outcome(copy["state"], copy.value("error", ""), copy["fallbacks"], copy["bytes_by_method"]);
}

// The scripted array with the same limits, through the real engine on threads.
nlohmann::json scripted(ScriptedArraySpec spec, const std::function<void(ScriptedArray&)>& script,
                        const std::string& method) {
  auto set = sim::load_scenario_text(scsi_lun_platform(kLimits), "test.toml");  // the [engine] section
  const sim::Scenario& scenario = set.points.at(0);
  auto array = std::make_shared<ScriptedArray>(spec);
  script(*array);
  ScsiLunFactory luns([&](const std::string& address) -> std::expected<std::unique_ptr<ScsiTransport>, CopyError> {
    return std::make_unique<ScriptedLun>(array, address);
  });
  RealRuntime runtime(scenario.engine.queue_depth);
  Engine engine(runtime, luns, scenario.engine);
  CopyRequest request{.source = "array:lun1", .destination = "array:lun2#esx.0", .length = 1000 * kMiB,
                      .method = sim::parse_method_variant(method)->choice};
  auto cookie = engine.submit(request);
  if (!cookie) return outcome("failed", cookie.error().describe(), nlohmann::json::array(), bytes_by_method_json({}));
  CopyStatus status = *engine.wait(*cookie);
  engine.release(*cookie);
  return outcome(std::string(state_name(status.state)), status.error ? status.error->describe() : "",
                 fallbacks_json(status), bytes_by_method_json(status));
}

std::string fault(const std::string& kind) {
  return "[[fault]]\nkind = \"" + kind + "\"\narray = \"array\"\nat = \"0s\"\n";
}

TEST(ScsiSenseParity, CopyAbortedFallsBackForItsRangeInAutoAndFailsAPinnedXcopy) {
  for (const char* method : {"auto", "xcopy"}) {
    auto sim = simulated(kLimits, fault("xcopy_segment_fail"), method);
    auto real = scripted(kScriptedLimits, [](ScriptedArray& a) { a.copy_aborted_next = true; }, method);
    EXPECT_EQ(sim, real) << method;
    if (std::string(method) == "auto") {
      EXPECT_EQ(real["state"], "done");
      ASSERT_EQ(real["fallbacks"].size(), 1U) << real;
      EXPECT_EQ(real["fallbacks"][0]["errno"], "EREMOTEIO");  // that range only: the method stays on
      EXPECT_EQ(real["fallbacks"][0]["bytes"], 64 * kMiB);
      EXPECT_EQ(real["bytes_by_method"]["scsi-xcopy"], 936 * kMiB);
    } else {
      EXPECT_EQ(real["state"], "failed");
      EXPECT_EQ(real["errno"], "EREMOTEIO");
    }
  }
}

TEST(ScsiSenseParity, InvalidOperationCodeFallsBackToHostAndRefusesAPinnedXcopy) {
  ScriptedArraySpec none = kScriptedLimits;
  none.xcopy = none.odx = false;
  for (const char* method : {"auto", "xcopy"}) {
    auto sim = simulated("xcopy = false, odx = false", "", method);
    auto real = scripted(none, [](ScriptedArray&) {}, method);
    EXPECT_EQ(sim, real) << method;
    EXPECT_EQ(real["state"], std::string(method) == "auto" ? "done" : "failed");
    if (std::string(method) == "auto") {
      ASSERT_EQ(real["fallbacks"].size(), 1U) << real;
      EXPECT_EQ(real["fallbacks"][0]["errno"], "EOPNOTSUPP");
      EXPECT_EQ(real["bytes_by_method"]["host"], 1000 * kMiB);
    } else {
      EXPECT_EQ(real["errno"], "EOPNOTSUPP");
    }
  }
}

TEST(ScsiSenseParity, UnitAttentionIsRetriedWithoutAFallback) {
  auto sim = simulated(kLimits, fault("unit_attention"), "auto");
  auto real = scripted(kScriptedLimits, [](ScriptedArray& a) { a.unit_attention_next = true; }, "auto");
  EXPECT_EQ(sim, real);
  EXPECT_EQ(real["state"], "done");
  EXPECT_TRUE(real["fallbacks"].empty()) << real;
  EXPECT_EQ(real["bytes_by_method"]["scsi-xcopy"], 1000 * kMiB);
}

TEST(ScsiSenseParity, ExpiredTokensFallBackToHostPerRange) {
  ScriptedArraySpec odx_only = kScriptedLimits;
  odx_only.xcopy = false;
  for (const char* method : {"auto", "odx"}) {
    auto sim = simulated(R"(xcopy = false, max_token = "64MiB", token_timeout = "1us")", "", method);
    auto real = scripted(odx_only, [](ScriptedArray& a) { a.tokens_expire = true; }, method);
    EXPECT_EQ(sim, real) << method;
    if (std::string(method) == "auto") {
      EXPECT_EQ(real["state"], "done");
      ASSERT_EQ(real["fallbacks"].size(), 2U) << real;
      EXPECT_EQ(real["fallbacks"][0]["errno"], "EOPNOTSUPP");  // no EXTENDED COPY (INVALID FIELD IN CDB)
      EXPECT_EQ(real["fallbacks"][1]["errno"], "ESTALE");      // every token, range by range
      EXPECT_EQ(real["bytes_by_method"]["host"], 1000 * kMiB);
    } else {
      EXPECT_EQ(real["state"], "failed");
      EXPECT_EQ(real["errno"], "ESTALE");
    }
  }
}

}  // namespace
}  // namespace offload::testing
