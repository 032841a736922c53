// The LUN target's host path (READ/WRITE), EXTENDED COPY and SYNCHRONIZE
// CACHE; the token copy (ODX) is in scsi_lun_odx.cpp.
#include "engine/targets/scsi_lun_target.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/xcopy_lid1.hpp"

namespace offload {
namespace {

// Commands carry at most this many blocks unless the LUN says less (8 MiB at
// 512-byte blocks: below every target's burst limits seen).
constexpr std::uint64_t kDefaultTransferBlocks = 1U << 14;

}  // namespace

ScsiLunTarget::ScsiLunTarget(Lun source, Lun destination, ScsiLunPlan plan, std::shared_ptr<CopyListIds> list_ids,
                             TargetInfo info)
    : source_(std::move(source)), destination_(std::move(destination)), plan_(std::move(plan)),
      list_ids_(std::move(list_ids)), info_(std::move(info)) {}

OpResult ScsiLunTarget::map_data(ByteRange range) {
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);
  return result;
}

// Moves op.length bytes in commands no longer than the LUNs' maximum transfer.
template <class Io>
OpResult ScsiLunTarget::transfer(const Op& op, Io io, std::uint64_t offset, const char* name) {
  const std::uint32_t bs = block_bytes();
  std::uint64_t limit_blocks = kDefaultTransferBlocks;
  for (const Lun* lun : {&source_, &destination_}) {
    if (lun->profile.max_transfer_blocks != 0) limit_blocks = std::min<std::uint64_t>(limit_blocks, lun->profile.max_transfer_blocks);
    if (std::uint64_t bytes = lun->session->max_transfer_bytes(); bytes != 0) {
      limit_blocks = std::min<std::uint64_t>(limit_blocks, std::max<std::uint64_t>(1, bytes / bs));
    }
  }
  std::uint64_t done = 0;
  while (done < op.length) {
    if (interrupted_.load()) return {.value = done > 0 ? static_cast<std::int64_t>(done) : -ECANCELED};
    std::uint64_t blocks = std::min<std::uint64_t>((op.length - done) / bs, limit_blocks);
    if (blocks == 0) return {.value = -EINVAL, .detail = "a transfer of part of a block"};
    std::span<std::byte> piece = op.buffer.empty() ? std::span<std::byte>{} : op.buffer.subspan(done, blocks * bs);
    ScsiOutcome outcome = io((offset + done) / bs, static_cast<std::uint32_t>(blocks), piece);
    if (!outcome.good()) {
      if (done > 0) return {.value = static_cast<std::int64_t>(done)};
      return {.value = -static_cast<std::int64_t>(outcome.to_errno()), .detail = std::string(name) + ": " + outcome.describe()};
    }
    done += blocks * bs;
  }
  return {.value = static_cast<std::int64_t>(done)};
}

OpResult ScsiLunTarget::read(const Op& op) {
  return transfer(op, [&](std::uint64_t lba, std::uint32_t blocks, std::span<std::byte> piece) {
    return source_.session->read(lba, blocks, block_bytes(), piece);
  }, op.source_offset, "READ(16)");
}

OpResult ScsiLunTarget::write(const Op& op) {
  return transfer(op, [&](std::uint64_t lba, std::uint32_t blocks, std::span<std::byte> piece) {
    return destination_.session->write(lba, blocks, block_bytes(), piece);
  }, op.destination_offset, "WRITE(16)");
}

// The errno and words for a command `lun` did not run.
OpResult ScsiLunTarget::refused(const std::string& what, const Lun& lun, const ScsiOutcome& outcome) const {
  return {.value = -static_cast<std::int64_t>(outcome.to_errno()),
          .detail = what + " to " + lun.session->address() + ": " + outcome.describe()};
}

OpResult ScsiLunTarget::xcopy(const Op& op) {
  if (!plan_.xcopy_refusal.empty()) return {.value = -EOPNOTSUPP, .detail = plan_.xcopy_refusal};
  if (interrupted_.load()) return {.value = -ECANCELED};
  const std::uint32_t bs = block_bytes();
  scsi::ExtendedCopyList list;
  bool no_list_id = source_.profile.copy_parameters && source_.profile.copy_parameters->supports_no_list_id;
  list.list_id_usage = no_list_id ? 3 : 0;  // 11b: nothing held for RECEIVE COPY RESULTS
  list.list_id = no_list_id ? 0 : static_cast<std::uint8_t>(list_ids_->take());
  list.targets.push_back(scsi::identification_descriptor(*source_.profile.identification->best_for_copy(), bs));
  std::uint16_t destination_index = 0;
  if (!plan_.same_lun) {
    list.targets.push_back(scsi::identification_descriptor(*destination_.profile.identification->best_for_copy(), bs));
    destination_index = 1;
  }
  const std::uint64_t segment_bytes = source_.profile.xcopy_segment_bytes();
  const std::size_t max_segments = source_.profile.xcopy_max_segments(list.targets.size());
  std::uint64_t planned = 0;
  while (planned < op.length && list.segments.size() < max_segments) {
    std::uint64_t bytes = std::min(segment_bytes, op.length - planned);
    list.segments.push_back({.source_index = 0, .destination_index = destination_index,
                             .blocks = static_cast<std::uint16_t>(bytes / bs),
                             .source_lba = (op.source_offset + planned) / bs,
                             .destination_lba = (op.destination_offset + planned) / bs});
    planned += bytes;
  }
  scsi::Bytes parameters = scsi::encode_extended_copy(list);
  ScsiOutcome outcome = source_.session->command(scsi::extended_copy_lid1_cdb(static_cast<std::uint32_t>(parameters.size())),
                                                 parameters, {});
  if (outcome.good()) return {.value = static_cast<std::int64_t>(planned)};
  OpResult result = refused("EXTENDED COPY", source_, outcome);
  if (outcome.sense && outcome.sense->key == scsi::SenseKey::copy_aborted) {
    // COMMAND-SPECIFIC INFORMATION: the segment being processed when the copy failed (SPC-4 6.4).
    result.detail += " at segment " + std::to_string(outcome.sense->command_specific) + " of " +
                     std::to_string(list.segments.size());
  }
  return result;
}

OpResult ScsiLunTarget::finish() {
  scsi::Bytes cdb(10, 0);
  cdb[0] = 0x35;  // SYNCHRONIZE CACHE(10) (SBC-3), whole LUN
  ScsiOutcome outcome = destination_.session->command(cdb, {}, {});
  if (outcome.good() || outcome.invalid_operation_code()) return {};
  return refused("SYNCHRONIZE CACHE", destination_, outcome);
}

}  // namespace offload
