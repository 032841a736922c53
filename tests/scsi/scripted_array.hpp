// A fake SCSI array for the LUN target, in the real transports' format:
// every answer is what the kernel's SG_IO hands back (status byte,
// fixed-format sense bytes, residual), turned into a ScsiOutcome by the real
// SG_IO transport's sg_io_outcome(); data-in is encoded with engine/scsi/.
// It reports the limits a test gives (block size, maximum segment, ROD token
// size; one segment descriptor per EXTENDED COPY, as LIO), stores no data
// (READ returns zeros) and answers scripted faults:
//  - copy_aborted_next: the next EXTENDED COPY ends COPY ABORTED, THIRD
//    PARTY DEVICE FAILURE at segment 0;
//  - unit_attention_next: the next command is not run and answers UNIT
//    ATTENTION, POWER ON OR RESET;
//  - tokens_expire: every WRITE USING TOKEN answers ILLEGAL REQUEST, TOKEN
//    EXPIRED.
// An array with neither xcopy nor odx answers 0x83/0x84 INVALID OPERATION
// CODE; one lacking a service action answers INVALID FIELD IN CDB.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/sg_io_transport.hpp"

namespace offload::testing {

/// What a scripted array offers.
struct ScriptedArraySpec {
  std::uint32_t block_bytes = 512;                 ///< logical block size, bytes
  std::uint64_t blocks = std::uint64_t{1} << 31;   ///< LUN capacity, blocks (1 TiB at 512)
  bool xcopy = true;                               ///< EXTENDED COPY (LID1) implemented
  bool odx = true;                                 ///< POPULATE TOKEN / WRITE USING TOKEN implemented
  std::uint32_t max_segment_bytes = 256U << 20;    ///< MAXIMUM SEGMENT LENGTH, bytes
  std::uint64_t max_token_bytes = 256U << 20;      ///< bytes one ROD token may stand for
};

/// The array behind every ScriptedLun of one test.
class ScriptedArray {
 public:
  explicit ScriptedArray(ScriptedArraySpec spec) : spec_(spec) {}
  bool copy_aborted_next = false;    ///< fault: the next EXTENDED COPY fails its first segment
  bool unit_attention_next = false;  ///< fault: the next command answers UNIT ATTENTION
  bool tokens_expire = false;        ///< fault: every WRITE USING TOKEN answers TOKEN EXPIRED
  int extended_copies = 0;           ///< EXTENDED COPY commands received

  /// One command to LUN `lun`, answered as SG_IO would report it.
  ScsiOutcome run(const std::string& lun, std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> out,
                  std::span<std::uint8_t> in) {
    using scsi::SenseKey;
    if (unit_attention_next) {
      unit_attention_next = false;
      return sense(SenseKey::unit_attention, scsi::asc::power_on_reset);
    }
    if (cdb[0] == 0x9E) {  // READ CAPACITY(16)
      scsi::Bytes data(32, 0);
      scsi::put_be(data, 0, 8, spec_.blocks - 1);
      scsi::put_be(data, 8, 4, spec_.block_bytes);
      return data_in(data, in);
    }
    if (cdb[0] == 0x88) return data_in(scsi::Bytes(in.size(), 0), in);  // READ(16): zeros
    if (cdb[0] == 0x8A || cdb[0] == 0x35) return good();                  // WRITE(16), SYNCHRONIZE CACHE
    bool copy_opcode = cdb[0] == 0x83 || cdb[0] == 0x84;
    if (copy_opcode && !spec_.xcopy && !spec_.odx) return sense(SenseKey::illegal_request, scsi::asc::invalid_operation_code);
    auto decoded = scsi::decode_cdb(cdb);
    if (!decoded) return sense(SenseKey::illegal_request, scsi::asc::invalid_operation_code);
    using Out = scsi::CopyOutAction;
    using In = scsi::CopyInAction;
    auto action = decoded->service_action;
    if (decoded->opcode == scsi::Opcode::inquiry) return inquiry(*decoded, lun, in);
    if (spec_.xcopy && cdb[0] == 0x84 && action == static_cast<std::uint8_t>(In::operating_parameters)) {
      return data_in(scsi::encode_operating_parameters(operating_parameters()), in);
    }
    if (spec_.xcopy && cdb[0] == 0x83 && action == static_cast<std::uint8_t>(Out::extended_copy_lid1)) {
      ++extended_copies;
      if (!copy_aborted_next) return good();
      copy_aborted_next = false;
      return sense(SenseKey::copy_aborted, scsi::asc::third_party_device_failure);
    }
    if (spec_.odx && cdb[0] == 0x83 && action == static_cast<std::uint8_t>(Out::populate_token)) {
      auto list = scsi::decode_populate_token(out);
      if (!list || list->ranges.empty()) return sense(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
      scsi::RodTokenInformation& info = held_[decoded->list_id];
      info = {.response_to_service_action = action, .transfer_count = list->ranges.at(0).blocks};
      info.token = scsi::RodToken{};
      scsi::put_be(*info.token, 0, 4, scsi::kPointInTimeDefaultRodType);
      scsi::put_be(*info.token, 6, 2, scsi::kRodTokenBytes - 8);
      return good();
    }
    if (spec_.odx && cdb[0] == 0x83 && action == static_cast<std::uint8_t>(Out::write_using_token)) {
      if (tokens_expire) return sense(SenseKey::illegal_request, scsi::asc::token_expired);
      auto list = scsi::decode_write_using_token(out);
      if (!list || list->ranges.empty()) return sense(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
      held_[decoded->list_id] = {.response_to_service_action = action, .transfer_count = list->ranges.at(0).blocks};
      return good();
    }
    if (spec_.odx && cdb[0] == 0x84 && action == static_cast<std::uint8_t>(In::rod_token_information)) {
      auto it = held_.find(decoded->list_id);
      if (it == held_.end()) return sense(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);
      return data_in(scsi::encode_rod_token_information(it->second), in);
    }
    return sense(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);  // a service action it lacks
  }

 private:
  ScsiOutcome good() const { return sg_io_outcome({}, "scripted", kSgIoTimeoutMs); }
  ScsiOutcome data_in(const scsi::Bytes& data, std::span<std::uint8_t> in) const {
    std::size_t n = std::min(data.size(), in.size());
    std::copy_n(data.begin(), n, in.begin());
    return sg_io_outcome({.residual = static_cast<int>(in.size() - n), .transfer_bytes = in.size()}, "scripted",
                         kSgIoTimeoutMs);
  }
  ScsiOutcome sense(scsi::SenseKey key, scsi::AdditionalSense code) const {
    scsi::Bytes bytes = scsi::encode_fixed_sense({.key = key, .code = code});
    return sg_io_outcome({.status = scsi::status::check_condition, .driver_status = 0x08, .sense = bytes}, "scripted",
                         kSgIoTimeoutMs);
  }
  ScsiOutcome inquiry(const scsi::Cdb& cdb, const std::string& lun, std::span<std::uint8_t> in) const {
    if (!cdb.evpd) return data_in(scsi::encode_standard_inquiry({.third_party_copy = spec_.xcopy || spec_.odx,
                                                                  .vendor = "SCRIPTED"}), in);
    if (cdb.page_code == 0x83) {
      scsi::Designator naa{.code_set = 1, .type = scsi::DesignatorType::naa, .value = scsi::Bytes(16, 0)};
      naa.value[0] = 0x60;
      scsi::put_be(naa.value, 8, 8, std::hash<std::string>{}(lun));  // one per LUN
      return data_in(scsi::encode_device_identification_vpd({.designators = {naa}}), in);
    }
    if (cdb.page_code == 0x8F && (spec_.xcopy || spec_.odx)) {
      scsi::ThirdPartyCopyVpd page;
      scsi::SupportedCommand copy_out{0x83, {}};
      scsi::SupportedCommand copy_in{0x84, {}};
      if (spec_.odx) {
        copy_out.service_actions = {0x10, 0x11};
        copy_in.service_actions = {0x07};
        std::uint64_t blocks = spec_.max_token_bytes / spec_.block_bytes;
        page.rod_token_limits = scsi::RodTokenLimits{.max_range_descriptors = 1, .max_token_transfer_blocks = blocks,
                                                     .optimal_transfer_blocks = blocks};
      }
      page.supported_commands = {copy_out, copy_in};
      return data_in(scsi::encode_third_party_copy_vpd(page), in);
    }
    if (cdb.page_code == 0x00) {  // supported pages: 0x00, 0x83, 0x8F
      return data_in({0x00, 0x00, 0x00, 0x03, 0x00, 0x83, 0x8F}, in);
    }
    return sense(scsi::SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);
  }
  scsi::OperatingParameters operating_parameters() const {
    return {.supports_no_list_id = true, .max_cscd_descriptors = 2, .max_segment_descriptors = 1,
            .max_descriptor_list_length = 2 * scsi::kCscdDescriptorBytes + scsi::kBlockSegmentBytes,
            .max_segment_length = spec_.max_segment_bytes,
            .implemented_descriptor_codes = {scsi::kBlockToBlockSegment, scsi::kIdentificationDescriptor}};
  }

  ScriptedArraySpec spec_;
  std::map<std::uint32_t, scsi::RodTokenInformation> held_;  // RRTI answers by list identifier
};

/// One LUN of a ScriptedArray as a transport ("ARRAY:LUN" addresses).
class ScriptedLun final : public ScsiTransport {
 public:
  ScriptedLun(std::shared_ptr<ScriptedArray> array, std::string address)
      : array_(std::move(array)), address_(std::move(address)) {}
  std::string address() const override { return address_; }
  std::string identity() const override { return address_; }
  std::string kind() const override { return "scripted"; }
  ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      std::span<std::uint8_t> data_in) override {
    return retry_unit_attention([&] { return array_->run(address_, cdb, data_out, data_in); });
  }

 private:
  std::shared_ptr<ScriptedArray> array_;
  std::string address_;
};

}  // namespace offload::testing
