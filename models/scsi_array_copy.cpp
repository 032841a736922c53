// The array's copy manager: EXTENDED COPY (LID1) and RECEIVE COPY RESULTS,
// POPULATE TOKEN / WRITE USING TOKEN / RECEIVE ROD TOKEN INFORMATION with
// the tokens' inactivity timeout, and the copy slots (max_concurrent).
#include <algorithm>
#include <cmath>

#include "engine/scsi/xcopy_lid1.hpp"
#include "models/scsi_array.hpp"
#include "models/stage.hpp"

namespace offload::models {

using scsi::SenseKey;

namespace {

constexpr std::uint8_t kNoListId = 3;  // LIST ID USAGE 11b: nothing held

std::uint64_t token_id(const scsi::RodToken& token) { return scsi::get_be64(token, 8); }

}  // namespace

ScsiReply ScsiArray::extended_copy(sg4::Host* initiator, std::span<const std::uint8_t> parameters) {
  auto list = scsi::decode_extended_copy(parameters);
  if (!list) return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
  if (list->targets.size() > 2) return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
  if (list->segments.size() > static_cast<std::size_t>(spec_.copy.max_segment_descriptors)) {
    return check_condition(SenseKey::illegal_request, scsi::asc::too_many_segment_descriptors);
  }
  for (const scsi::IdentificationDescriptor& target : list->targets) {
    const scsi::Bytes& value = target.designator.value;
    if (!luns_by_designator_.contains(std::string(value.begin(), value.end())) || target.block_length != block_bytes()) {
      return check_condition(SenseKey::copy_aborted, scsi::asc::copy_target_device_not_reachable);
    }
  }
  for (const scsi::BlockSegment& segment : list->segments) {
    if (segment.blocks > max_segment_blocks()) {
      return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
    }
  }
  auto held = std::make_shared<Held>();
  held->copy.transfer_count_units = 0xF1;  // destination blocks
  if (list->list_id_usage != kNoListId) held_[{initiator, list->list_id}] = held;
  copy_slots_->acquire();
  cpu_.work_async(spec_.copy.command_cpu_s)->wait();
  std::uint16_t index = 0;
  for (const scsi::BlockSegment& segment : list->segments) {
    if (take_segment_failure()) break;
    disk_to_disk(disk_, disk_, nullptr, 0, static_cast<double>(segment.blocks) * spec_.block_bytes);
    held->copy.transfer_count += segment.blocks;
    ++index;
  }
  copy_slots_->release();
  held->copy.segments_processed = index;
  if (index == list->segments.size()) {
    held->copy.status = scsi::CopyManagerStatus::completed_good;
    return {};
  }
  held->copy.status = scsi::CopyManagerStatus::completed_with_errors;
  ScsiReply reply = check_condition(SenseKey::copy_aborted, scsi::asc::third_party_device_failure, index);
  held->failed = {true, scsi::status::check_condition, reply.sense};
  return reply;
}

ScsiReply ScsiArray::receive_copy_results(sg4::Host* initiator, const scsi::Cdb& cdb) {
  ScsiReply reply;
  auto action = static_cast<scsi::CopyInAction>(cdb.service_action);
  if (action == scsi::CopyInAction::operating_parameters) {
    reply.data = scsi::encode_operating_parameters(operating_parameters());
  } else {
    auto it = held_.find({initiator, cdb.list_id});
    if (it == held_.end()) return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);
    if (action == scsi::CopyInAction::copy_status_lid1) {
      reply.data = scsi::encode_copy_status(it->second->copy);
    } else {
      reply.data = scsi::encode_failed_segment_details(it->second->failed);
      held_.erase(it);  // the details are read once, then discarded
    }
  }
  if (reply.data.size() > cdb.allocation_length) reply.data.resize(cdb.allocation_length);
  return reply;
}

ScsiReply ScsiArray::populate_token(sg4::Host* initiator, const scsi::Cdb& cdb, std::span<const std::uint8_t> parameters) {
  auto list = scsi::decode_populate_token(parameters);
  if (!list || list->ranges.empty() || list->ranges.size() > 8) {
    return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
  }
  double bytes = 0;
  for (const scsi::BlockRange& range : list->ranges) bytes += static_cast<double>(range.blocks) * spec_.block_bytes;
  if (bytes > spec_.copy.max_token_bytes) {
    return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
  }
  cpu_.work_async(spec_.copy.populate_cpu_s)->wait();  // point-in-time image of the ranges
  double now = sg4::Engine::get_clock();
  if (tokens_.size() > 1024) {  // forget tokens nobody can use any more
    std::erase_if(tokens_, [&](const auto& t) { return t.second.expired || now - t.second.last_used_s > t.second.timeout_s; });
  }
  double timeout = list->inactivity_timeout_s != 0 ? list->inactivity_timeout_s : spec_.copy.token_timeout_s;
  std::uint64_t id = next_token_++;
  tokens_[id] = Token{bytes, now, timeout, false};
  auto held = std::make_shared<Held>();
  held->token_info.response_to_service_action = static_cast<std::uint8_t>(scsi::CopyOutAction::populate_token);
  held->token_info.status = scsi::CopyOperationStatus::completed;
  held->token_info.transfer_count = static_cast<std::uint64_t>(bytes / spec_.block_bytes);
  scsi::RodToken token{};
  scsi::put_be(token, 0, 4, scsi::kPointInTimeDefaultRodType);
  scsi::put_be(token, 6, 2, scsi::kRodTokenBytes - 8);
  scsi::put_be(token, 8, 8, id);
  held->token_info.token = token;
  held_[{initiator, cdb.list_id}] = held;
  return {};
}

ScsiReply ScsiArray::write_using_token(sg4::Host* initiator, const scsi::Cdb& cdb, std::span<const std::uint8_t> parameters) {
  auto list = scsi::decode_write_using_token(parameters);
  if (!list || list->ranges.empty()) {
    return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
  }
  double bytes = 0;
  for (const scsi::BlockRange& range : list->ranges) bytes += static_cast<double>(range.blocks) * spec_.block_bytes;
  double now = sg4::Engine::get_clock();
  bool zero_token = scsi::rod_token_type(list->token) == scsi::kBlockDeviceZeroRodType;
  if (!zero_token) {
    auto it = tokens_.find(token_id(list->token));
    if (it == tokens_.end()) return check_condition(SenseKey::illegal_request, scsi::asc::token_unknown);
    Token& token = it->second;
    if (token.expired || now - token.last_used_s > token.timeout_s) {
      ++counters_.tokens_expired;
      tokens_.erase(it);
      return check_condition(SenseKey::illegal_request, scsi::asc::token_expired);
    }
    if (bytes + static_cast<double>(list->offset_into_rod) * spec_.block_bytes > token.bytes) {
      return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_parameter_list);
    }
    token.last_used_s = now;
    if (list->delete_token) tokens_.erase(it);
  }
  auto held = std::make_shared<Held>();
  held->token_info.response_to_service_action = static_cast<std::uint8_t>(scsi::CopyOutAction::write_using_token);
  held->token_info.status = scsi::CopyOperationStatus::in_progress_background;
  held_[{initiator, cdb.list_id}] = held;
  auto work = [this, held, bytes, zero_token] {
    copy_slots_->acquire();
    cpu_.work_async(spec_.copy.command_cpu_s)->wait();
    bool failed = take_segment_failure();
    if (!failed && !zero_token) disk_to_disk(disk_, disk_, nullptr, 0, bytes);
    copy_slots_->release();
    scsi::RodTokenInformation& info = held->token_info;
    if (failed) {
      info.status = scsi::CopyOperationStatus::completed_with_errors;
      info.extended_copy_completion_status = scsi::status::check_condition;
      info.sense = check_condition(SenseKey::copy_aborted, scsi::asc::third_party_device_failure).sense;
    } else {
      info.status = scsi::CopyOperationStatus::completed;
      info.transfer_count = static_cast<std::uint64_t>(bytes / spec_.block_bytes);
      info.segments_processed = 1;
    }
  };
  if (list->immediate) {
    copiers_.submit(work);
  } else {
    work();
    auto info = held->token_info;
    if (info.status != scsi::CopyOperationStatus::completed) {
      return {scsi::status::check_condition, {}, info.sense};
    }
  }
  return {};
}

ScsiReply ScsiArray::receive_rod_token_information(sg4::Host* initiator, const scsi::Cdb& cdb) {
  auto it = held_.find({initiator, cdb.list_id});
  if (it == held_.end()) return check_condition(SenseKey::illegal_request, scsi::asc::invalid_field_in_cdb);
  scsi::RodTokenInformation info = it->second->token_info;
  if (scsi::in_progress(info.status)) {
    info.estimated_status_update_delay_ms = static_cast<std::uint32_t>(std::ceil(spec_.copy.poll_interval_s * 1e3));
  } else {
    held_.erase(it);  // a finished operation's status is reported once
  }
  ScsiReply reply{scsi::status::good, scsi::encode_rod_token_information(info), {}};
  if (reply.data.size() > cdb.allocation_length) reply.data.resize(cdb.allocation_length);
  return reply;
}

}  // namespace offload::models
