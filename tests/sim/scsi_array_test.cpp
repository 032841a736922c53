// The simulated SCSI array driven directly with encoded commands (each test
// in a forked child: one simulation per process): discovery pages, segment
// limits, unsupported commands, ROD token inactivity timeout, and the two
// fault hooks (expire_tokens, fail_next_segment) with the sense they cause.
#include <gtest/gtest.h>

#include <simgrid/s4u.hpp>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "models/scsi_array.hpp"
#include "sim/platform.hpp"
#include "tests/sim/scsi_platform.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::testing {
namespace {

namespace sg4 = simgrid::s4u;
using models::ScsiArray;
using models::ScsiReply;

/// Runs `script` in an actor on the initiator against the array; returns its JSON.
nlohmann::json drive(const std::string& toml, std::function<nlohmann::json(ScsiArray&, sg4::Host*)> script) {
  return in_child([&] {
    QuietEngine simulation("scsi-array-test");
    sg4::Engine::set_config("network/model:CM02");
    sg4::Engine::set_config("network/crosstraffic:0");
    auto set = sim::load_scenario_text(toml, "array.toml");
    sim::Platform platform(set.points.at(0));
    ScsiArray& array = *platform.array("array");
    sg4::Host* initiator = platform.members("esx").at(0)->host;
    nlohmann::json out;
    sg4::Actor::create("initiator", initiator, [&] { out = script(array, initiator); });
    simulation.run();
    return out;
  });
}

/// The sense of a reply as {key, asc, ascq, segment}.
nlohmann::json sense_of(const ScsiReply& reply) {
  if (reply.status != scsi::status::check_condition) return {{"status", "GOOD"}};
  auto sense = scsi::decode_sense(reply.sense);
  if (!sense) return {{"status", "bad sense"}};
  return {{"key", static_cast<int>(sense->key)}, {"asc", sense->code.asc}, {"ascq", sense->code.ascq},
          {"segment", sense->command_specific}, {"text", sense->describe()}};
}

/// An EXTENDED COPY of `segments` segments of `blocks` blocks from lun1 to lun2.
scsi::Bytes xcopy_list(ScsiArray& array, sg4::Host* initiator, int segments, std::uint16_t blocks, std::uint8_t list_id) {
  scsi::ExtendedCopyList list;
  list.list_id = list_id;
  for (const char* lun : {"lun1", "lun2"}) {
    auto page = scsi::decode_device_identification_vpd(array.execute(initiator, lun, scsi::inquiry_cdb(true, 0x83, 4096)).data);
    list.targets.push_back(scsi::identification_descriptor(page->designators.at(0), 4096));
  }
  for (int i = 0; i < segments; ++i) {
    list.segments.push_back({.blocks = blocks, .source_lba = 1000ULL * i, .destination_lba = 1000ULL * i});
  }
  return scsi::encode_extended_copy(list);
}

ScsiReply send_xcopy(ScsiArray& array, sg4::Host* initiator, const scsi::Bytes& list) {
  return array.execute(initiator, "lun1", scsi::extended_copy_lid1_cdb(static_cast<std::uint32_t>(list.size())), list);
}

/// POPULATE TOKEN for `blocks` blocks of lun1, then the token from RRTI.
scsi::RodToken populate(ScsiArray& array, sg4::Host* initiator, std::uint32_t list_id, std::uint32_t blocks) {
  auto list = scsi::encode_populate_token({.ranges = {{0, blocks}}});
  array.execute(initiator, "lun1", scsi::populate_token_cdb(list_id, static_cast<std::uint32_t>(list.size())), list);
  auto info = scsi::decode_rod_token_information(
      array.execute(initiator, "lun1", scsi::receive_rod_token_information_cdb(list_id, 4096)).data);
  return info && info->token ? *info->token : scsi::RodToken{};
}

ScsiReply write_using(ScsiArray& array, sg4::Host* initiator, std::uint32_t list_id, const scsi::RodToken& token,
                      std::uint32_t blocks) {
  auto list = scsi::encode_write_using_token({.immediate = true, .token = token, .ranges = {{0, blocks}}});
  return array.execute(initiator, "lun2", scsi::write_using_token_cdb(list_id, static_cast<std::uint32_t>(list.size())), list);
}

/// RRTI on `list_id` until the copy is no longer in progress; its final status and sense.
nlohmann::json wait_token_copy(ScsiArray& array, sg4::Host* initiator, std::uint32_t list_id) {
  for (int polls = 1;; ++polls) {
    auto info = scsi::decode_rod_token_information(
        array.execute(initiator, "lun2", scsi::receive_rod_token_information_cdb(list_id, 4096)).data);
    if (!info) return {{"error", info.error().describe()}};
    if (!scsi::in_progress(info->status)) {
      ScsiReply as_reply{info->sense.empty() ? scsi::status::good : scsi::status::check_condition, {}, info->sense};
      return {{"status", static_cast<int>(info->status)}, {"blocks", info->transfer_count}, {"polls", polls},
              {"sense", sense_of(as_reply)}};
    }
    sg4::this_actor::sleep_for(info->estimated_status_update_delay_ms / 1e3);
  }
}

const std::string kDefaults = R"(max_segment = "64MB", max_segment_descriptors = 2, max_concurrent = 1)";

TEST(ScsiArrayModel, DiscoveryPagesReportTheSpecLimits) {
  auto out = drive(scsi_lun_platform(kDefaults), [](ScsiArray& array, sg4::Host* initiator) {
    auto standard = scsi::decode_standard_inquiry(array.execute(initiator, "lun1", scsi::inquiry_cdb(false, 0, 255)).data);
    auto page = scsi::decode_third_party_copy_vpd(array.execute(initiator, "lun1", scsi::inquiry_cdb(true, 0x8F, 4096)).data);
    auto params = scsi::decode_operating_parameters(
        array.execute(initiator, "lun1", scsi::receive_copy_results_cdb(scsi::CopyInAction::operating_parameters, 0, 4096)).data);
    if (!standard || !page || !params) return nlohmann::json{{"error", "undecodable discovery page"}};
    return nlohmann::json{{"3pc", standard->third_party_copy},
                          {"xcopy_listed", page->supports(0x83, 0x00)},
                          {"token_blocks", page->rod_token_limits->max_token_transfer_blocks},
                          {"max_segment_length", params->max_segment_length},
                          {"max_segment_descriptors", params->max_segment_descriptors},
                          {"max_concurrent", params->max_concurrent_copies},
                          {"rcr", array.counters().receive_copy_results}, {"inquiries", array.counters().inquiries}};
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_TRUE(out["3pc"].get<bool>());
  EXPECT_TRUE(out["xcopy_listed"].get<bool>());
  EXPECT_EQ(out["token_blocks"], 268435456 / 4096);  // max_token default 256 MiB
  EXPECT_EQ(out["max_segment_length"], 64000000);
  EXPECT_EQ(out["max_segment_descriptors"], 2);
  EXPECT_EQ(out["max_concurrent"], 1);
  EXPECT_EQ(out["rcr"], 1);
  EXPECT_EQ(out["inquiries"], 2);
}

TEST(ScsiArrayModel, SegmentLimitsComeBackAsIllegalRequestSense) {
  auto out = drive(scsi_lun_platform(kDefaults), [](ScsiArray& array, sg4::Host* initiator) {
    nlohmann::json result;
    result["three_segments"] = sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 3, 100, 1)));
    // 64 MB = 15,625 blocks of 4 KiB: one more block is past MAXIMUM SEGMENT LENGTH.
    result["long_segment"] = sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 1, 15626, 2)));
    auto list = xcopy_list(array, initiator, 1, 100, 3);
    result["length_mismatch"] = sense_of(array.execute(initiator, "lun1", scsi::extended_copy_lid1_cdb(500), list));
    result["good"] = sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 2, 15625, 4)));
    result["written"] = array.disk().write_bytes();
    return result;
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_EQ(out["three_segments"]["asc"], 0x26);  // TOO MANY SEGMENT DESCRIPTORS
  EXPECT_EQ(out["three_segments"]["ascq"], 0x08);
  EXPECT_EQ(out["long_segment"]["asc"], 0x26);  // INVALID FIELD IN PARAMETER LIST
  EXPECT_EQ(out["long_segment"]["ascq"], 0x00);
  EXPECT_EQ(out["length_mismatch"]["asc"], 0x1A);  // PARAMETER LIST LENGTH ERROR
  EXPECT_EQ(out["good"]["status"], "GOOD");
  EXPECT_DOUBLE_EQ(out["written"].get<double>(), 2 * 15625 * 4096.0);  // only the good copy wrote
}

TEST(ScsiArrayModel, ArraysWithoutACommandAnswerIllegalRequest) {
  auto none = drive(scsi_lun_platform("xcopy = false, odx = false"), [](ScsiArray& array, sg4::Host* initiator) {
    auto standard = scsi::decode_standard_inquiry(array.execute(initiator, "lun1", scsi::inquiry_cdb(false, 0, 255)).data);
    return nlohmann::json{{"3pc", standard->third_party_copy},
                          {"xcopy", sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 1, 8, 1)))}};
  });
  ASSERT_FALSE(none.contains("error")) << none["error"];
  EXPECT_FALSE(none["3pc"].get<bool>());
  EXPECT_EQ(none["xcopy"]["key"], 0x5);  // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE
  EXPECT_EQ(none["xcopy"]["asc"], 0x20);
  auto odx_only = drive(scsi_lun_platform("xcopy = false"), [](ScsiArray& array, sg4::Host* initiator) {
    return sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 1, 8, 1)));
  });
  EXPECT_EQ(odx_only["asc"], 0x24);  // the opcode exists (ODX): INVALID FIELD IN CDB
}

TEST(ScsiArrayModel, FailNextSegmentAbortsOneExtendedCopyWithCopyAbortedSense) {
  auto out = drive(scsi_lun_platform(kDefaults), [](ScsiArray& array, sg4::Host* initiator) {
    nlohmann::json result;
    array.fail_next_segment();
    result["failed"] = sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 2, 100, 7)));
    auto status = scsi::decode_copy_status(array.execute(
        initiator, "lun1", scsi::receive_copy_results_cdb(scsi::CopyInAction::copy_status_lid1, 7, 4096)).data);
    auto details = scsi::decode_failed_segment_details(array.execute(
        initiator, "lun1", scsi::receive_copy_results_cdb(scsi::CopyInAction::failed_segment_details, 7, 4096)).data);
    result["copy_status"] = static_cast<int>(status->status);
    result["details_sense"] = sense_of({scsi::status::check_condition, {}, details->sense});
    result["written_after_failure"] = array.disk().write_bytes();
    result["next"] = sense_of(send_xcopy(array, initiator, xcopy_list(array, initiator, 2, 100, 8)));
    result["segments_failed"] = array.counters().segments_failed;
    return result;
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_EQ(out["failed"]["key"], 0xA);  // COPY ABORTED, THIRD PARTY DEVICE FAILURE at segment 0
  EXPECT_EQ(out["failed"]["asc"], 0x0D);
  EXPECT_EQ(out["failed"]["ascq"], 0x01);
  EXPECT_EQ(out["failed"]["segment"], 0);
  EXPECT_EQ(out["copy_status"], 0x02);  // completed with errors
  EXPECT_EQ(out["details_sense"], out["failed"]);
  EXPECT_DOUBLE_EQ(out["written_after_failure"].get<double>(), 0);
  EXPECT_EQ(out["next"]["status"], "GOOD");  // the fault hits one segment only
  EXPECT_EQ(out["segments_failed"], 1);
}

TEST(ScsiArrayModel, FailNextSegmentEndsAWriteUsingTokenWithErrors) {
  auto out = drive(scsi_lun_platform(kDefaults), [](ScsiArray& array, sg4::Host* initiator) {
    auto token = populate(array, initiator, 1, 256);
    array.fail_next_segment();
    nlohmann::json result;
    result["accepted"] = sense_of(write_using(array, initiator, 2, token, 256));
    result["end"] = wait_token_copy(array, initiator, 2);
    return result;
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_EQ(out["accepted"]["status"], "GOOD");  // IMMED: the failure shows in RRTI
  EXPECT_EQ(out["end"]["status"], 0x02);          // completed with errors
  EXPECT_EQ(out["end"]["sense"]["key"], 0xA);     // COPY ABORTED
  EXPECT_EQ(out["end"]["blocks"], 0);
}

TEST(ScsiArrayModel, ExpireTokensRefusesWriteUsingTokenWithTokenExpired) {
  auto out = drive(scsi_lun_platform(kDefaults), [](ScsiArray& array, sg4::Host* initiator) {
    nlohmann::json result;
    auto old_token = populate(array, initiator, 1, 256);
    array.expire_tokens();
    result["expired"] = sense_of(write_using(array, initiator, 2, old_token, 256));
    auto fresh = populate(array, initiator, 3, 256);  // tokens made after the fault still work
    result["fresh"] = sense_of(write_using(array, initiator, 4, fresh, 256));
    result["end"] = wait_token_copy(array, initiator, 4);
    result["tokens_expired"] = array.counters().tokens_expired;
    return result;
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_EQ(out["expired"]["key"], 0x5);  // ILLEGAL REQUEST, INVALID TOKEN OPERATION, TOKEN EXPIRED
  EXPECT_EQ(out["expired"]["asc"], 0x23);
  EXPECT_EQ(out["expired"]["ascq"], 0x07);
  EXPECT_EQ(out["fresh"]["status"], "GOOD");
  EXPECT_EQ(out["end"]["status"], 0x01);  // completed
  EXPECT_EQ(out["end"]["blocks"], 256);
  EXPECT_EQ(out["tokens_expired"], 1);
}

TEST(ScsiArrayModel, TokensExpireAfterTheirInactivityTimeout) {
  auto out = drive(scsi_lun_platform(kDefaults + R"(, token_timeout = "2s")"), [](ScsiArray& array, sg4::Host* initiator) {
    nlohmann::json result;
    auto token = populate(array, initiator, 1, 256);
    sg4::this_actor::sleep_for(1.5);
    result["in_time"] = sense_of(write_using(array, initiator, 2, token, 128));
    wait_token_copy(array, initiator, 2);  // the use restarted the timer: 1.5 s more is fine
    sg4::this_actor::sleep_for(1.5);
    result["again"] = sense_of(write_using(array, initiator, 3, token, 128));
    wait_token_copy(array, initiator, 3);
    sg4::this_actor::sleep_for(2.5);
    result["late"] = sense_of(write_using(array, initiator, 4, token, 128));
    return result;
  });
  ASSERT_FALSE(out.contains("error")) << out["error"];
  EXPECT_EQ(out["in_time"]["status"], "GOOD");
  EXPECT_EQ(out["again"]["status"], "GOOD");
  EXPECT_EQ(out["late"]["asc"], 0x23);
  EXPECT_EQ(out["late"]["ascq"], 0x07);
}

// Two initiators send one EXTENDED COPY each at time 0: with one copy slot
// the second waits for the first (which then has the back end to itself);
// with two they share the back end and end together.
TEST(ScsiArrayModel, ConcurrentCopiesBeyondTheLimitQueue) {
  auto finish_times = [](const std::string& slots) {
    return drive(scsi_lun_platform(R"(max_segment = "64MB", max_concurrent = )" + slots),
                 [](ScsiArray& array, sg4::Host* initiator) {
                   auto list = xcopy_list(array, initiator, 1, 15625, 1);  // 64 MB
                   auto ends = std::make_shared<nlohmann::json>(nlohmann::json::array());
                   auto other = sg4::Actor::create("second", initiator, [&array, initiator, list, ends] {
                     send_xcopy(array, initiator, list);
                     ends->push_back(sg4::Engine::get_clock());
                   });
                   send_xcopy(array, initiator, list);
                   ends->push_back(sg4::Engine::get_clock());
                   other->join();
                   return *ends;
                 });
  };
  auto one = finish_times("1");
  auto two = finish_times("2");
  ASSERT_FALSE(one.contains("error")) << one;
  ASSERT_EQ(one.size(), 2U);
  ASSERT_EQ(two.size(), 2U);
  double copy_s = 64e6 / 2e9 + 64e6 / 1e9;  // read and write share the back end
  double first_one = std::min(one[0].get<double>(), one[1].get<double>());
  double last_one = std::max(one[0].get<double>(), one[1].get<double>());
  EXPECT_NEAR(last_one - first_one, copy_s, 1e-3);  // queued behind the first
  EXPECT_NEAR(two[0].get<double>(), two[1].get<double>(), 1e-3);  // side by side
  EXPECT_NEAR(std::max(two[0].get<double>(), two[1].get<double>()), last_one, 1e-3);  // same total work
}

}  // namespace
}  // namespace offload::testing
