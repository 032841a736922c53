// The array's front end: command transport, READ/WRITE(16), READ
// CAPACITY(16), CDB dispatch, INQUIRY and its VPD pages, sense data and the
// fault hooks. The copy
// manager's commands are in scsi_array_copy.cpp.
#include "models/scsi_array.hpp"

#include <algorithm>
#include <cmath>

#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/scsi_transport.hpp"
#include "models/stage.hpp"

namespace offload::models {

using scsi::SenseKey;

namespace {

constexpr std::uint8_t kReadCapacity16[] = {0x9E, 0x10};  // SERVICE ACTION IN(16), READ CAPACITY(16)
constexpr std::uint8_t kSynchronizeCache10 = 0x35;      // SYNCHRONIZE CACHE(10)

}  // namespace

ScsiArray::ScsiArray(const ScsiArraySpec& spec, sg4::Host* host, Network& network)
    : spec_(spec),
      cpu_(host, spec.cpu),
      disk_(host, spec.name + "-backend", spec.disk),
      network_(network),
      copiers_(host, "odx-copy"),
      copy_slots_(sg4::Semaphore::create(static_cast<unsigned>(spec.copy.max_concurrent))) {}

bool ScsiArray::unit_attention_pending(sg4::Host* initiator) const {
  auto it = resets_seen_.find(initiator);
  return (it == resets_seen_.end() ? 0 : it->second) < resets_;
}

ScsiReply ScsiArray::execute(sg4::Host* initiator, const std::string& lun, std::span<const std::uint8_t> cdb,
                             std::span<const std::uint8_t> parameters) {
  if (auto io = decode_read_write16(cdb); io && !unit_attention_pending(initiator)) {
    return block_io(initiator, io->write, io->lba, io->blocks);
  }
  network_.send(initiator, host(), spec_.copy.command_bytes + static_cast<double>(cdb.size() + parameters.size()));
  cpu_.work_async(cpu_.copy_cost_s(0))->wait();  // decode and dispatch
  ScsiReply reply;
  if (unit_attention_pending(initiator)) {
    resets_seen_[initiator] = resets_;
    ++counters_.unit_attentions;
    reply = check_condition(SenseKey::unit_attention, scsi::asc::power_on_reset);
  } else {
    reply = dispatch(initiator, lun, cdb, parameters);
  }
  if (reply.status == scsi::status::check_condition) ++counters_.check_conditions;
  network_.send(host(), initiator,
                spec_.copy.command_bytes + static_cast<double>(reply.data.size() + reply.sense.size()));
  return reply;
}

// READ(16) / WRITE(16): the command, the back end and the data transfer at
// once (DMA: the controller pays per command, not per byte), then status.
ScsiReply ScsiArray::block_io(sg4::Host* initiator, bool write, std::uint64_t lba, std::uint32_t blocks) {
  const double bytes = static_cast<double>(blocks) * spec_.block_bytes;
  const double framing = spec_.copy.command_bytes;
  if (lba + blocks > kLunBytes / block_bytes()) {
    network_.send(initiator, host(), framing);
    ScsiReply reply = check_condition(SenseKey::illegal_request, scsi::asc::lba_out_of_range);
    ++counters_.check_conditions;
    network_.send(host(), initiator, framing + static_cast<double>(reply.sense.size()));
    return reply;
  }
  if (write) {
    ++counters_.writes;
    peer_to_disk(disk_, cpu_, cpu_.copy_cost_s(0), network_, host(), initiator, bytes, bytes + framing);
    network_.send(host(), initiator, framing);
  } else {
    ++counters_.reads;
    network_.send(initiator, host(), framing);
    disk_to_peer(disk_, cpu_, cpu_.copy_cost_s(0), network_, host(), initiator, bytes, bytes + framing);
  }
  return {};
}

ScsiReply ScsiArray::dispatch(sg4::Host* initiator, const std::string& lun, std::span<const std::uint8_t> cdb,
                              std::span<const std::uint8_t> parameters) {
  bool third_party_copy = spec_.copy.xcopy || spec_.copy.odx;
  auto opcode = cdb.empty() ? 0 : cdb[0];
  bool copy_opcode = opcode == static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_out) ||
                     opcode == static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_in);
  count(cdb);
  if (cdb.empty() || (copy_opcode && !third_party_copy)) {
    return check_condition(SenseKey::illegal_request, scsi::asc::invalid_operation_code);
  }
  if (opcode == kReadCapacity16[0] && cdb.size() == 16 && (cdb[1] & 0x1F) == kReadCapacity16[1]) return read_capacity(cdb);
  if (opcode == kSynchronizeCache10) return {};  // no write cache modelled
  auto decoded = scsi::decode_cdb(cdb);
  if (!decoded) {
    return check_condition(SenseKey::illegal_request,
                           copy_opcode || opcode == 0x12 ? scsi::asc::invalid_field_in_cdb : scsi::asc::invalid_operation_code);
  }
  if (decoded->opcode == scsi::Opcode::third_party_copy_out && decoded->parameter_list_length != parameters.size()) {
    return check_condition(SenseKey::illegal_request, scsi::asc::parameter_list_length_error);
  }
  using Out = scsi::CopyOutAction;
  using In = scsi::CopyInAction;
  auto action = decoded->service_action;
  switch (decoded->opcode) {
    case scsi::Opcode::inquiry: return inquiry(*decoded, lun);
    case scsi::Opcode::third_party_copy_out:
      if (action == static_cast<std::uint8_t>(Out::extended_copy_lid1) && spec_.copy.xcopy) {
        return extended_copy(initiator, parameters);
      }
      if (action == static_cast<std::uint8_t>(Out::populate_token) && spec_.copy.odx) {
        return populate_token(initiator, *decoded, parameters);
      }
      if (action == static_cast<std::uint8_t>(Out::write_using_token) && spec_.copy.odx) {
        return write_using_token(initiator, *decoded, parameters);
      }
      break;
    case scsi::Opcode::third_party_copy_in:
      if (action == static_cast<std::uint8_t>(In::rod_token_information) && spec_.copy.odx) {
        return receive_rod_token_information(initiator, *decoded);
      }
      if ((action == static_cast<std::uint8_t>(In::operating_parameters) ||
           action == static_cast<std::uint8_t>(In::copy_status_lid1) ||
           action == static_cast<std::uint8_t>(In::failed_segment_details)) && spec_.copy.xcopy) {
        return receive_copy_results(initiator, *decoded);
      }
      break;
  }
  return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);  // service action not implemented
}

// READ CAPACITY(16) data (SBC-3): last LBA, block length; 32 bytes.
ScsiReply ScsiArray::read_capacity(std::span<const std::uint8_t> cdb) const {
  ScsiReply reply;
  reply.data.assign(32, 0);
  scsi::put_be(reply.data, 0, 8, kLunBytes / block_bytes() - 1);
  scsi::put_be(reply.data, 8, 4, block_bytes());
  reply.data.resize(std::min<std::size_t>(reply.data.size(), scsi::get_be32(cdb, 10)));
  return reply;
}

// Counts a command as received, whatever the answer.
void ScsiArray::count(std::span<const std::uint8_t> cdb) {
  if (cdb.empty()) return;
  std::uint8_t action = cdb.size() > 1 ? cdb[1] & 0x1F : 0;
  if (cdb[0] == static_cast<std::uint8_t>(scsi::Opcode::inquiry)) ++counters_.inquiries;
  if (cdb[0] == static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_out)) {
    if (action == static_cast<std::uint8_t>(scsi::CopyOutAction::extended_copy_lid1)) ++counters_.extended_copies;
    if (action == static_cast<std::uint8_t>(scsi::CopyOutAction::populate_token)) ++counters_.populate_tokens;
    if (action == static_cast<std::uint8_t>(scsi::CopyOutAction::write_using_token)) ++counters_.write_using_tokens;
  }
  if (cdb[0] == static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_in)) {
    if (action == static_cast<std::uint8_t>(scsi::CopyInAction::rod_token_information)) {
      ++counters_.rrti_polls;
    } else if (action <= static_cast<std::uint8_t>(scsi::CopyInAction::failed_segment_details)) {
      ++counters_.receive_copy_results;
    }
  }
}

ScsiReply ScsiArray::inquiry(const scsi::Cdb& cdb, const std::string& lun) {
  ScsiReply reply;
  if (!cdb.evpd) {
    scsi::StandardInquiry standard;
    standard.third_party_copy = spec_.copy.xcopy || spec_.copy.odx;
    standard.vendor = "OFFLOAD";
    standard.product = "SIM-ARRAY";
    standard.revision = "0001";
    reply.data = scsi::encode_standard_inquiry(standard);
  } else {
    reply = vpd_page(cdb.page_code, lun);
  }
  if (reply.data.size() > cdb.allocation_length) reply.data.resize(cdb.allocation_length);
  return reply;
}

// A VPD page's bytes (SPC-4 7.8), or INVALID FIELD IN CDB for one it lacks.
ScsiReply ScsiArray::vpd_page(std::uint8_t page, const std::string& lun) {
  const bool third_party_copy = spec_.copy.xcopy || spec_.copy.odx;
  ScsiReply reply;
  auto header = [&](std::size_t length) {  // device type 0 (block), page code, page length
    reply.data.assign(4 + length, 0);
    reply.data[1] = page;
    scsi::put_be(reply.data, 2, 2, length);
  };
  switch (page) {
    case 0x00: {  // Supported VPD Pages
      std::vector<std::uint8_t> pages{0x00, 0x80, 0x83};
      if (third_party_copy) pages.push_back(0x8F);
      pages.push_back(0xB0);
      header(pages.size());
      std::copy(pages.begin(), pages.end(), reply.data.begin() + 4);
      return reply;
    }
    case 0x80: {  // Unit Serial Number: the designator's hash, as hex
      std::string serial = scsi::designator_hex(designator(lun)).substr(8, 16);
      header(serial.size());
      std::copy(serial.begin(), serial.end(), reply.data.begin() + 4);
      return reply;
    }
    case 0x83: {
      scsi::DeviceIdentificationVpd identification;
      identification.designators.push_back(designator(lun));
      const scsi::Bytes& value = identification.designators.back().value;
      luns_by_designator_[std::string(value.begin(), value.end())] = lun;
      reply.data = scsi::encode_device_identification_vpd(identification);
      return reply;
    }
    case 0x8F:
      if (!third_party_copy) break;
      reply.data = third_party_copy_page();
      return reply;
    case 0xB0:  // Block Limits (SBC-3 6.6.4): every limit 0, "not reported"
      header(0x3C);
      return reply;
    default: break;
  }
  return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);
}

// NAA 6 (IEEE Registered Extended) designator: LIO's OUI and a hash of the
// array and LUN names, so each LUN of each array has its own.
scsi::Designator ScsiArray::designator(const std::string& lun) const {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (char c : spec_.name + ":" + lun) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  scsi::Designator d;
  d.type = scsi::DesignatorType::naa;
  d.value = {0x60, 0x01, 0x40, 0x50};
  for (int i = 7; i >= 0; --i) d.value.push_back(static_cast<std::uint8_t>(hash >> (8 * i)));
  d.value.insert(d.value.end(), {0, 0, 0, 1});
  return d;
}

std::uint32_t ScsiArray::max_segment_blocks() const {
  double blocks = std::floor(spec_.copy.max_segment_bytes / spec_.block_bytes);
  return static_cast<std::uint32_t>(std::min<double>(blocks, scsi::kMaxSegmentBlocks));
}

scsi::OperatingParameters ScsiArray::operating_parameters() const {
  scsi::OperatingParameters p;
  p.supports_no_list_id = true;
  p.max_cscd_descriptors = 2;
  p.max_segment_descriptors = static_cast<std::uint16_t>(spec_.copy.max_segment_descriptors);
  p.max_descriptor_list_length = static_cast<std::uint32_t>(
      scsi::kCscdDescriptorBytes * 2 + scsi::kBlockSegmentBytes * spec_.copy.max_segment_descriptors);
  p.max_segment_length = static_cast<std::uint32_t>(spec_.copy.max_segment_bytes);
  p.total_concurrent_copies = static_cast<std::uint16_t>(spec_.copy.max_concurrent);
  p.max_concurrent_copies = static_cast<std::uint8_t>(spec_.copy.max_concurrent);
  p.data_segment_granularity_log2 = static_cast<std::uint8_t>(std::log2(spec_.block_bytes));
  p.implemented_descriptor_codes = {scsi::kBlockToBlockSegment, scsi::kIdentificationDescriptor};
  return p;
}

scsi::Bytes ScsiArray::third_party_copy_page() const {
  scsi::ThirdPartyCopyVpd page;
  scsi::SupportedCommand out{static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_out), {}};
  scsi::SupportedCommand in{static_cast<std::uint8_t>(scsi::Opcode::third_party_copy_in), {}};
  if (spec_.copy.xcopy) {
    out.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyOutAction::extended_copy_lid1));
    in.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyInAction::copy_status_lid1));
    in.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyInAction::operating_parameters));
    in.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyInAction::failed_segment_details));
    scsi::OperatingParameters p = operating_parameters();
    page.parameter_data = scsi::ParameterDataLimits{p.max_cscd_descriptors, p.max_segment_descriptors,
                                                    p.max_descriptor_list_length, 0};
    page.general = scsi::GeneralCopyOperations{p.total_concurrent_copies, p.max_concurrent_copies,
                                               p.max_segment_length, p.data_segment_granularity_log2, 0};
  }
  if (spec_.copy.odx) {
    out.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyOutAction::populate_token));
    out.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyOutAction::write_using_token));
    in.service_actions.push_back(static_cast<std::uint8_t>(scsi::CopyInAction::rod_token_information));
    auto timeout = static_cast<std::uint32_t>(std::ceil(spec_.copy.token_timeout_s));
    page.rod_token_limits = scsi::RodTokenLimits{
        .max_range_descriptors = 8,
        .max_inactivity_timeout_s = std::max<std::uint32_t>(timeout, 3600),
        .default_inactivity_timeout_s = timeout,
        .max_token_transfer_blocks = static_cast<std::uint64_t>(spec_.copy.max_token_bytes / spec_.block_bytes),
        .optimal_transfer_blocks = static_cast<std::uint64_t>(spec_.copy.max_token_bytes / spec_.block_bytes)};
  }
  page.supported_commands = {out, in};
  return scsi::encode_third_party_copy_vpd(page);
}

ScsiReply ScsiArray::check_condition(SenseKey key, scsi::AdditionalSense code, std::uint32_t command_specific) {
  scsi::Sense sense;
  sense.key = key;
  sense.code = code;
  sense.command_specific = command_specific;
  return {scsi::status::check_condition, {}, scsi::encode_fixed_sense(sense)};
}

void ScsiArray::expire_tokens() {
  for (auto& [id, token] : tokens_) token.expired = true;
}

void ScsiArray::fail_next_segment() { fail_next_segment_ = true; }

void ScsiArray::raise_unit_attention() { ++resets_; }

// True (once) when a fault was injected for the next segment.
bool ScsiArray::take_segment_failure() {
  if (!fail_next_segment_) return false;
  fail_next_segment_ = false;
  ++counters_.segments_failed;
  return true;
}

}  // namespace offload::models
