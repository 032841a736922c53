#include "engine/targets/scsi_lun_profile.hpp"

#include <algorithm>
#include <cstdint>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/xcopy_lid1.hpp"

namespace offload {
namespace {

// A VPD page's bytes, or nullopt when the device refused it.
std::optional<scsi::Bytes> vpd_page(ScsiTransport& session, std::uint8_t page, std::uint16_t allocation) {
  scsi::Bytes data(allocation, 0);
  ScsiOutcome outcome = session.command(scsi::inquiry_cdb(true, page, allocation), {}, data);
  if (!outcome.good()) return std::nullopt;
  data.resize(std::min<std::size_t>(outcome.data_in_bytes, data.size()));
  if (data.size() < 4 || data[1] != page) return std::nullopt;
  return data;
}

}  // namespace

std::string LunProfile::xcopy_unsupported_reason() const {
  if (!copy_parameters) {
    return "RECEIVE COPY RESULTS (operating parameters) answered " + copy_parameters_answer +
           (inquiry.third_party_copy ? "" : "; INQUIRY's 3PC bit is clear");
  }
  if (!copy_parameters->implemented_descriptor_codes.empty() &&
      (!copy_parameters->implements(scsi::kBlockToBlockSegment) ||
       !copy_parameters->implements(scsi::kIdentificationDescriptor))) {
    return "the copy manager does not list block-to-block segments (0x02) and identification descriptors (0xE4)";
  }
  if (!identification || identification->best_for_copy() == nullptr) {
    return "the LUN has no logical-unit designator in VPD page 0x83 to name it in an 0xE4 descriptor";
  }
  return "";
}

std::uint64_t LunProfile::xcopy_segment_bytes() const {
  std::uint64_t bytes = std::uint64_t{scsi::kMaxSegmentBlocks} * block_bytes;
  if (copy_parameters && copy_parameters->max_segment_length != 0) {
    bytes = std::min<std::uint64_t>(bytes, copy_parameters->max_segment_length);
  }
  constexpr std::uint64_t kMiB = 1 << 20;  // whole MiB where that big: 31 MiB, not 32 MiB - 512
  if (bytes >= 2 * kMiB && kMiB % block_bytes == 0) return bytes / kMiB * kMiB;
  return std::max<std::uint64_t>(block_bytes, bytes / block_bytes * block_bytes);
}

std::string LunProfile::odx_unsupported_reason() const {
  if (!third_party_copy) return "the LUN lists no Third Party Copy VPD page (0x8F)";
  using Out = scsi::CopyOutAction;
  auto out = static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_out);
  auto in = static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_in);
  if (!third_party_copy->supports(out, static_cast<std::uint8_t>(Out::populate_token)) ||
      !third_party_copy->supports(out, static_cast<std::uint8_t>(Out::write_using_token)) ||
      !third_party_copy->supports(in, static_cast<std::uint8_t>(scsi::CopyInAction::rod_token_information))) {
    return "VPD page 0x8F does not list POPULATE TOKEN, WRITE USING TOKEN and RECEIVE ROD TOKEN INFORMATION";
  }
  if (!third_party_copy->rod_token_limits) return "VPD page 0x8F has no Block Device ROD Token Limits descriptor";
  return "";
}

std::uint64_t LunProfile::odx_max_bytes() const {
  std::uint64_t blocks = third_party_copy && third_party_copy->rod_token_limits
                             ? third_party_copy->rod_token_limits->max_token_transfer_blocks
                             : 0;
  if (blocks == 0 || blocks > UINT32_MAX) blocks = UINT32_MAX;
  return blocks * block_bytes;
}

std::size_t LunProfile::xcopy_max_segments(std::size_t cscd_descriptors) const {
  std::size_t segments = 1;
  if (copy_parameters) {
    segments = std::max<std::size_t>(1, copy_parameters->max_segment_descriptors);
    // MAXIMUM DESCRIPTOR LIST LENGTH counts the CSCD and segment descriptor
    // lists, not the 16-byte parameter list header (SPC-4 RECEIVE COPY
    // OPERATING PARAMETERS; LIO's target_core_xcopy.c checks the same sum).
    std::size_t fixed = cscd_descriptors * scsi::kCscdDescriptorBytes;
    if (copy_parameters->max_descriptor_list_length > fixed) {
      segments = std::min<std::size_t>(segments, (copy_parameters->max_descriptor_list_length - fixed) /
                                                     scsi::kBlockSegmentBytes);
    }
  }
  return std::max<std::size_t>(1, segments);
}

std::uint64_t LunProfile::xcopy_max_bytes(std::size_t cscd_descriptors) const {
  return xcopy_segment_bytes() * xcopy_max_segments(cscd_descriptors);
}

std::expected<LunProfile, std::string> discover_lun(ScsiTransport& session) {
  LunProfile profile;
  auto capacity = session.capacity();
  if (!capacity) return std::unexpected(capacity.error());
  profile.blocks = capacity->first;
  profile.block_bytes = capacity->second;
  if (profile.block_bytes == 0) return std::unexpected("READ CAPACITY(16) reports a block length of 0");

  scsi::Bytes standard(96, 0);
  ScsiOutcome outcome = session.command(scsi::inquiry_cdb(false, 0, 96), {}, standard);
  if (!outcome.good()) return std::unexpected("INQUIRY: " + outcome.describe());
  standard.resize(std::min<std::size_t>(outcome.data_in_bytes, standard.size()));
  auto inquiry = scsi::decode_standard_inquiry(standard);
  if (!inquiry) return std::unexpected("INQUIRY: " + inquiry.error().describe());
  profile.inquiry = *inquiry;

  std::vector<std::uint8_t> pages;
  if (auto supported = vpd_page(session, 0x00, 255)) {
    std::size_t length = std::min<std::size_t>(scsi::get_be16(*supported, 2), supported->size() - 4);
    pages.assign(supported->begin() + 4, supported->begin() + 4 + static_cast<std::ptrdiff_t>(length));
  }
  auto listed = [&](std::uint8_t page) { return std::find(pages.begin(), pages.end(), page) != pages.end(); };
  if (auto page = vpd_page(session, 0x83, 1024)) {
    if (auto decoded = scsi::decode_device_identification_vpd(*page)) profile.identification = std::move(*decoded);
  }
  if (auto page = vpd_page(session, 0x80, 255); page && page->size() >= 4) {
    std::size_t length = std::min<std::size_t>((*page)[3], page->size() - 4);
    profile.serial.assign(page->begin() + 4, page->begin() + 4 + static_cast<std::ptrdiff_t>(length));
    while (!profile.serial.empty() && (profile.serial.back() == ' ' || profile.serial.back() == '\0')) profile.serial.pop_back();
    profile.serial.erase(0, profile.serial.find_first_not_of(' '));
  }
  if (auto page = vpd_page(session, 0xB0, 64); page && page->size() >= 12) {
    profile.max_transfer_blocks = scsi::get_be32(*page, 8);
  }
  if (listed(0x8F)) {
    if (auto page = vpd_page(session, 0x8F, 4096)) {
      if (auto decoded = scsi::decode_third_party_copy_vpd(*page)) profile.third_party_copy = std::move(*decoded);
    }
  }
  scsi::Bytes parameters(1024, 0);
  outcome = session.command(scsi::receive_copy_results_cdb(scsi::CopyInAction::operating_parameters, 0, 1024), {},
                            parameters);
  profile.copy_parameters_answer = outcome.describe();
  if (outcome.good()) {
    parameters.resize(std::min<std::size_t>(outcome.data_in_bytes, parameters.size()));
    if (auto decoded = scsi::decode_operating_parameters(parameters)) {
      profile.copy_parameters = std::move(*decoded);
    } else {
      profile.copy_parameters_answer = decoded.error().describe();
    }
  }
  return profile;
}

}  // namespace offload
