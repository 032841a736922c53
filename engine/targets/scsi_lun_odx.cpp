// The LUN target's token copy (ODX, SBC-3): POPULATE TOKEN on the source
// LUN, RECEIVE ROD TOKEN INFORMATION for the ROD token, WRITE USING TOKEN
// (IMMED, DEL_TKN) on the destination LUN, then RRTI polls until the copy
// ends, waiting the device's ESTIMATED STATUS UPDATE DELAY between polls
// (at least 1 ms) on the transport's clock.
#include <algorithm>
#include <cerrno>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/targets/scsi_lun_target.hpp"

namespace offload {
namespace {

constexpr std::uint32_t kRrtiAllocation = 4096;  // bytes of RRTI data accepted: a 512-byte token and its header

// The RRTI data of list `list_id` from `lun`, or the outcome that refused it.
std::expected<scsi::RodTokenInformation, ScsiOutcome> token_information(const Lun& lun, std::uint32_t list_id) {
  scsi::Bytes data(kRrtiAllocation, 0);
  ScsiOutcome outcome = lun.session->command(scsi::receive_rod_token_information_cdb(list_id, kRrtiAllocation), {}, data);
  if (!outcome.good()) return std::unexpected(outcome);
  data.resize(std::min<std::size_t>(outcome.data_in_bytes, data.size()));
  auto info = scsi::decode_rod_token_information(data);
  if (!info) return std::unexpected(ScsiOutcome{.transport_error = "RECEIVE ROD TOKEN INFORMATION data: " + info.error().describe(),
                                                .transport_errno = EIO});
  return *info;
}

}  // namespace

OpResult ScsiLunTarget::odx(const Op& op) {
  if (!plan_.odx_refusal.empty()) return {.value = -EOPNOTSUPP, .detail = plan_.odx_refusal};
  if (interrupted_.load()) return {.value = -ECANCELED};
  const std::uint32_t bs = block_bytes();
  auto blocks = static_cast<std::uint32_t>(op.length / bs);
  std::uint32_t populate_id = list_ids_->take();
  scsi::Bytes populate = scsi::encode_populate_token({.ranges = {{op.source_offset / bs, blocks}}});
  ScsiOutcome outcome = source_.session->command(
      scsi::populate_token_cdb(populate_id, static_cast<std::uint32_t>(populate.size())), populate, {});
  if (!outcome.good()) return refused("POPULATE TOKEN", source_, outcome);
  auto made = token_information(source_, populate_id);
  if (!made) return refused("RECEIVE ROD TOKEN INFORMATION", source_, made.error());
  if (!made->token) return {.value = -EIO, .detail = "RECEIVE ROD TOKEN INFORMATION from " + source_.session->address() +
                                                     ": no ROD token after POPULATE TOKEN"};
  std::uint32_t write_id = list_ids_->take();
  scsi::Bytes parameters = scsi::encode_write_using_token({.immediate = true, .delete_token = true, .token = *made->token,
                                                           .ranges = {{op.destination_offset / bs, blocks}}});
  outcome = destination_.session->command(
      scsi::write_using_token_cdb(write_id, static_cast<std::uint32_t>(parameters.size())), parameters, {});
  if (!outcome.good()) return refused("WRITE USING TOKEN", destination_, outcome);
  return wait_token_copy(write_id, blocks, *op.clock);
}

// RRTI until WRITE USING TOKEN's background copy ends.
OpResult ScsiLunTarget::wait_token_copy(std::uint32_t list_id, std::uint64_t blocks, OperationClock& clock) {
  for (;;) {
    auto info = token_information(destination_, list_id);
    if (!info) return refused("RECEIVE ROD TOKEN INFORMATION", destination_, info.error());
    if (scsi::in_progress(info->status)) {
      TimeNs delay_ms = std::max<std::uint32_t>(info->estimated_status_update_delay_ms, 1);
      clock.pause_operation(delay_ms * 1'000'000);
      continue;
    }
    if (info->status == scsi::CopyOperationStatus::completed_with_errors ||
        info->status == scsi::CopyOperationStatus::terminated) {
      ScsiOutcome ended{.status = scsi::status::check_condition};
      if (auto sense = scsi::decode_sense(info->sense)) ended.sense = *sense;
      return refused("WRITE USING TOKEN (background copy)", destination_, ended);
    }
    std::uint64_t done = std::min<std::uint64_t>(info->transfer_count, blocks);
    return {.value = static_cast<std::int64_t>(done * block_bytes())};
  }
}

}  // namespace offload
