#include "models/scsi_lun_target.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/vpd_third_party_copy.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/scsi_transport.hpp"

namespace offload::models {

namespace {

constexpr std::uint16_t kAllocation = 4096;  // bytes of data-in the initiator accepts
constexpr std::size_t kMaxDescriptorList = 1024;  // bytes of CSCD + segment descriptors we send at most

bool lists(const scsi::ThirdPartyCopyVpd& page, scsi::Opcode opcode, std::uint8_t action) {
  return page.supports(static_cast<std::uint8_t>(opcode), action);
}

}  // namespace

ScsiLunTarget::ScsiLunTarget(sg4::Host* initiator, CpuModel& initiator_cpu, ScsiArray& source, ScsiArray& destination,
                             std::string source_lun, std::string destination_lun, ScsiSession& session,
                             TargetInfo info)
    : initiator_(initiator),
      cpu_(initiator_cpu),
      source_(source),
      destination_(destination),
      source_lun_(std::move(source_lun)),
      destination_lun_(std::move(destination_lun)),
      session_(session),
      info_(std::move(info)) {
  info_.needs_host_memory = false;
  info_.file_methods = false;  // a LUN has no reflink and no copy_file_range
  info_.device_methods.clear();
  if (&source_ != &destination_) return;  // offloads stay inside one array
  discover();
  info_.device_methods.push_back(Method::scsi_xcopy);
  if (session_.odx) info_.device_methods.push_back(Method::scsi_odx);
  info_.max_op_bytes[static_cast<std::size_t>(Method::scsi_xcopy)] = session_.xcopy_max_op_bytes;
  info_.max_op_bytes[static_cast<std::size_t>(Method::scsi_odx)] = session_.odx_max_op_bytes;
}

ScsiReply ScsiLunTarget::send(const scsi::Bytes& cdb, const scsi::Bytes& parameters) {
  return send_to(source_lun_, cdb, parameters);
}

// Like the real transports (engine/targets/scsi_transport.hpp): a command
// answered UNIT ATTENTION was not run and is sent again.
ScsiReply ScsiLunTarget::send_to(const std::string& lun, const scsi::Bytes& cdb, const scsi::Bytes& parameters) {
  auto unit_attention = [](const ScsiReply& reply) {
    if (reply.status != ScsiStatus::check_condition) return false;
    auto sense = scsi::decode_sense(reply.sense);
    return sense && sense->key == scsi::SenseKey::unit_attention;
  };
  ScsiReply reply = source_.execute(initiator_, lun, cdb, parameters);
  for (int retry = 0; retry < kUnitAttentionRetries && unit_attention(reply); ++retry) {
    reply = source_.execute(initiator_, lun, cdb, parameters);
  }
  return reply;
}

// INQUIRY, VPD 0x8F and RECEIVE COPY RESULTS operating parameters, once per
// initiator and array; limits default to LIO's where the array is silent.
void ScsiLunTarget::discover() {
  if (session_.discovered) return;
  session_.discovered = true;
  session_.block_bytes = source_.block_bytes();  // READ CAPACITY, answered with map_data's command
  std::uint64_t max_segment_length = 268435456;  // LIO's
  std::uint64_t segments_per_command = 1;
  auto standard = send(scsi::inquiry_cdb(false, 0, kAllocation));
  auto inquiry = scsi::decode_standard_inquiry(standard.data);
  session_.third_party_copy = standard.status == ScsiStatus::good && inquiry && inquiry->third_party_copy;
  bool operating_parameters = true;  // sent unless VPD 0x8F says it is missing
  if (session_.third_party_copy) {
    auto reply = send(scsi::inquiry_cdb(true, 0x8F, kAllocation));
    auto page = scsi::decode_third_party_copy_vpd(reply.data);
    if (reply.status == ScsiStatus::good && page) {
      using Out = scsi::CopyOutAction;
      session_.odx = lists(*page, scsi::Opcode::third_party_copy_out, static_cast<std::uint8_t>(Out::populate_token)) &&
                     lists(*page, scsi::Opcode::third_party_copy_out, static_cast<std::uint8_t>(Out::write_using_token)) &&
                     page->rod_token_limits.has_value();
      if (session_.odx) {
        session_.odx_max_op_bytes = page->rod_token_limits->max_token_transfer_blocks * session_.block_bytes;
      }
      operating_parameters = lists(*page, scsi::Opcode::third_party_copy_in,
                                   static_cast<std::uint8_t>(scsi::CopyInAction::operating_parameters));
    }
  }
  if (operating_parameters) {
    auto reply = send(scsi::receive_copy_results_cdb(scsi::CopyInAction::operating_parameters, 0, kAllocation));
    if (auto p = scsi::decode_operating_parameters(reply.data); reply.status == ScsiStatus::good && p) {
      if (p->max_segment_length != 0) max_segment_length = p->max_segment_length;
      std::size_t fit = (kMaxDescriptorList - 2 * scsi::kCscdDescriptorBytes) / scsi::kBlockSegmentBytes;
      segments_per_command = std::clamp<std::uint64_t>(p->max_segment_descriptors, 1, fit);
    }
  }
  session_.segment_blocks = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(max_segment_length / session_.block_bytes, scsi::kMaxSegmentBlocks));
  session_.xcopy_max_op_bytes =
      std::uint64_t{session_.segment_blocks} * session_.block_bytes * segments_per_command;
}

const scsi::Designator& ScsiLunTarget::designator_of(const std::string& lun) {
  auto it = session_.designators.find(lun);
  if (it != session_.designators.end()) return it->second;
  auto reply = send_to(lun, scsi::inquiry_cdb(true, 0x83, kAllocation));
  scsi::Designator found;  // empty when the page is missing: the copy then fails as unreachable
  if (auto page = scsi::decode_device_identification_vpd(reply.data); reply.status == ScsiStatus::good && page) {
    if (const scsi::Designator* best = page->best_for_copy()) found = *best;
  }
  return session_.designators.emplace(lun, std::move(found)).first->second;
}

OpResult ScsiLunTarget::map_data(ByteRange range) {
  source_.command(initiator_);  // READ CAPACITY
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);
  return result;
}

OpResult ScsiLunTarget::read(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  auto work = cpu_.work_async(cpu_.copy_cost_s(bytes));
  source_.read(initiator_, bytes);
  work->wait();
  return {.value = static_cast<std::int64_t>(op.length)};
}

OpResult ScsiLunTarget::write(const Op& op) {
  auto bytes = static_cast<double>(op.length);
  auto work = cpu_.work_async(cpu_.copy_cost_s(bytes));
  destination_.write(initiator_, bytes);
  work->wait();
  return {.value = static_cast<std::int64_t>(op.length)};
}

// errno and words for a CHECK CONDITION (or an undecodable answer).
OpResult ScsiLunTarget::failure(const char* command, const ScsiReply& reply) {
  auto sense = scsi::decode_sense(reply.sense);
  if (!sense) return {.value = -EIO, .detail = std::string(command) + ": bad sense data: " + sense.error().describe()};
  int err = EIO;
  if (sense->key == scsi::SenseKey::illegal_request &&
      (sense->code == scsi::asc::invalid_operation_code || sense->code == scsi::asc::invalid_field_in_cdb)) {
    err = EOPNOTSUPP;
  } else if (sense->code == scsi::asc::token_expired || sense->code == scsi::asc::token_unknown) {
    err = ESTALE;
  } else if (sense->key == scsi::SenseKey::copy_aborted) {
    err = EREMOTEIO;
  }
  return {.value = -err, .detail = std::string(command) + ": " + sense->describe()};
}

OpResult ScsiLunTarget::xcopy(const Op& op) {
  if (&source_ != &destination_) return {.value = -EXDEV};
  const std::uint32_t block = session_.block_bytes;
  std::uint64_t blocks = op.length / block;
  if (blocks == 0 || op.source_offset % block != 0 || op.destination_offset % block != 0) {
    return {.value = -EINVAL, .detail = "EXTENDED COPY: range is not whole " + std::to_string(block) + "-byte blocks"};
  }
  scsi::ExtendedCopyList list;
  list.list_id = session_.next_lid1++;
  list.targets = {scsi::identification_descriptor(designator_of(source_lun_), block),
                  scsi::identification_descriptor(designator_of(destination_lun_), block)};
  std::uint64_t source_lba = op.source_offset / block, destination_lba = op.destination_offset / block;
  for (std::uint64_t left = blocks; left > 0;) {
    auto count = static_cast<std::uint16_t>(std::min<std::uint64_t>(left, session_.segment_blocks));
    list.segments.push_back({.source_index = 0, .destination_index = 1, .blocks = count,
                             .source_lba = source_lba, .destination_lba = destination_lba});
    source_lba += count;
    destination_lba += count;
    left -= count;
  }
  scsi::Bytes parameters = scsi::encode_extended_copy(list);
  auto reply = send(scsi::extended_copy_lid1_cdb(static_cast<std::uint32_t>(parameters.size())), parameters);
  if (reply.status == ScsiStatus::good) return {.value = static_cast<std::int64_t>(blocks * block)};
  OpResult result = failure("EXTENDED COPY", reply);
  if (result.error() == EREMOTEIO) {  // which segment, and why: the held failure details
    auto details = send(scsi::receive_copy_results_cdb(scsi::CopyInAction::failed_segment_details, list.list_id, kAllocation));
    auto decoded = scsi::decode_failed_segment_details(details.data);
    if (details.status == ScsiStatus::good && decoded && decoded->present) {
      if (auto sense = scsi::decode_sense(decoded->sense)) {
        result.detail += " at segment " + std::to_string(sense->command_specific) + " of " +
                         std::to_string(list.segments.size()) + " (RECEIVE COPY RESULTS)";
      }
    }
  }
  return result;
}

OpResult ScsiLunTarget::odx(const Op& op) {
  if (&source_ != &destination_) return {.value = -EXDEV};
  const std::uint32_t block = session_.block_bytes;
  auto blocks = static_cast<std::uint32_t>(op.length / block);
  if (blocks == 0 || op.source_offset % block != 0 || op.destination_offset % block != 0) {
    return {.value = -EINVAL, .detail = "POPULATE TOKEN: range is not whole " + std::to_string(block) + "-byte blocks"};
  }
  std::uint32_t populate_id = session_.next_list_id++;
  scsi::Bytes populate = scsi::encode_populate_token({.ranges = {{op.source_offset / block, blocks}}});
  auto reply = send(scsi::populate_token_cdb(populate_id, static_cast<std::uint32_t>(populate.size())), populate);
  if (reply.status != ScsiStatus::good) return failure("POPULATE TOKEN", reply);
  reply = send(scsi::receive_rod_token_information_cdb(populate_id, kAllocation));
  auto info = scsi::decode_rod_token_information(reply.data);
  if (reply.status != ScsiStatus::good) return failure("RECEIVE ROD TOKEN INFORMATION", reply);
  if (!info || !info->token) {
    return {.value = -EIO, .detail = "RECEIVE ROD TOKEN INFORMATION: no token: " + (info ? std::string("none returned")
                                                                                        : info.error().describe())};
  }
  std::uint32_t write_id = session_.next_list_id++;
  scsi::WriteUsingToken write{.immediate = true, .delete_token = true, .token = *info->token,
                              .ranges = {{op.destination_offset / block, blocks}}};
  scsi::Bytes parameters = scsi::encode_write_using_token(write);
  reply = send(scsi::write_using_token_cdb(write_id, static_cast<std::uint32_t>(parameters.size())), parameters);
  if (reply.status != ScsiStatus::good) return failure("WRITE USING TOKEN", reply);
  return poll_token_copy(write_id, blocks);
}

// RRTI until WRITE USING TOKEN's copy ends, waiting as long as the array asks.
OpResult ScsiLunTarget::poll_token_copy(std::uint32_t list_id, std::uint64_t blocks) {
  for (;;) {
    auto reply = send(scsi::receive_rod_token_information_cdb(list_id, kAllocation));
    if (reply.status != ScsiStatus::good) return failure("RECEIVE ROD TOKEN INFORMATION", reply);
    auto info = scsi::decode_rod_token_information(reply.data);
    if (!info) return {.value = -EIO, .detail = info.error().describe()};
    if (scsi::in_progress(info->status)) {
      sg4::this_actor::sleep_for(std::max<std::uint32_t>(info->estimated_status_update_delay_ms, 1) / 1e3);
      continue;
    }
    if (info->status == scsi::CopyOperationStatus::completed_with_errors ||
        info->status == scsi::CopyOperationStatus::terminated) {
      return failure("WRITE USING TOKEN", {ScsiStatus::check_condition, {}, info->sense});
    }
    std::uint64_t done = std::min<std::uint64_t>(info->transfer_count, blocks);
    return {.value = static_cast<std::int64_t>(done * session_.block_bytes)};
  }
}

OpResult ScsiLunTarget::zero_range(const Op& op) { return {.value = static_cast<std::int64_t>(op.length)}; }

OpResult ScsiLunTarget::finish() {
  destination_.command(initiator_);  // SYNCHRONIZE CACHE
  return {};
}

}  // namespace offload::models
