#include "engine/targets/scsi_lun.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/scsi_lun_profile.hpp"

namespace offload {
namespace {

std::int64_t bytes_or_errno(const ScsiOutcome& outcome, std::uint64_t bytes) {
  return outcome.good() ? static_cast<std::int64_t>(bytes) : -static_cast<std::int64_t>(outcome.to_errno());
}

// One open endpoint: a session and what its LUN said at open.
struct Lun {
  std::shared_ptr<ScsiTransport> session;
  LunProfile profile;
};

class ScsiLunTarget final : public CopyTarget {
 public:
  ScsiLunTarget(Lun source, Lun destination, bool same_lun, std::string xcopy_refusal, TargetInfo info)
      : source_(std::move(source)), destination_(std::move(destination)), same_lun_(same_lun),
        xcopy_refusal_(std::move(xcopy_refusal)), info_(std::move(info)) {}

  const TargetInfo& info() const override { return info_; }

  OpResult map_data(ByteRange range) override {  // a LUN has no holes the host can see
    OpResult result;
    if (range.length > 0) result.extents.push_back(range);
    return result;
  }

  OpResult read(const Op& op) override {
    return transfer(op, [&](std::uint64_t lba, std::uint32_t blocks, std::span<std::byte> piece) {
      return source_.session->read(lba, blocks, block_bytes(), piece);
    }, op.source_offset, "READ(16)");
  }

  OpResult write(const Op& op) override {
    return transfer(op, [&](std::uint64_t lba, std::uint32_t blocks, std::span<std::byte> piece) {
      return destination_.session->write(lba, blocks, block_bytes(), piece);
    }, op.destination_offset, "WRITE(16)");
  }

  OpResult xcopy(const Op& op) override {
    if (!xcopy_refusal_.empty()) return {.value = -EOPNOTSUPP, .detail = xcopy_refusal_};
    if (interrupted_.load()) return {.value = -ECANCELED};
    const std::uint32_t bs = block_bytes();
    scsi::ExtendedCopyList list;
    list.list_id_usage = source_.profile.copy_parameters && source_.profile.copy_parameters->supports_no_list_id ? 3 : 0;
    list.list_id = list.list_id_usage == 3 ? 0 : next_list_id_.fetch_add(1);
    const scsi::Designator& source_id = *source_.profile.identification->best_for_copy();
    list.targets.push_back(scsi::identification_descriptor(source_id, bs));
    std::uint16_t destination_index = 0;
    if (!same_lun_) {
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
    scsi::Bytes cdb = scsi::extended_copy_lid1_cdb(static_cast<std::uint32_t>(parameters.size()));
    ScsiOutcome outcome = source_.session->command(cdb, parameters, {});
    if (!outcome.good()) {
      return {.value = -static_cast<std::int64_t>(outcome.to_errno()),
              .detail = "EXTENDED COPY to " + source_.session->address() + ": " + outcome.describe()};
    }
    return {.value = static_cast<std::int64_t>(planned)};
  }

  OpResult zero_range(const Op& op) override { return {.value = static_cast<std::int64_t>(op.length)}; }

  OpResult finish() override {  // SYNCHRONIZE CACHE(10) on the destination
    scsi::Bytes cdb(10, 0);
    cdb[0] = 0x35;
    ScsiOutcome outcome = destination_.session->command(cdb, {}, {});
    if (outcome.good() || outcome.invalid_operation_code()) return {};
    return {.value = -static_cast<std::int64_t>(outcome.to_errno()), .detail = "SYNCHRONIZE CACHE: " + outcome.describe()};
  }

  OpResult abort() override { return {}; }  // blocks already written stay written: there is no name to undo

  void interrupt() override { interrupted_.store(true); }

 private:
  std::uint32_t block_bytes() const { return source_.profile.block_bytes; }

  // Moves op.length bytes in commands no longer than the LUN's maximum transfer.
  template <class Io>
  OpResult transfer(const Op& op, Io io, std::uint64_t offset, const char* name) {
    const std::uint32_t bs = block_bytes();
    std::uint64_t limit_blocks = 1U << 14;  // 8 MiB at 512 bytes: below every target's burst limits seen
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
      std::span<std::byte> piece = op.buffer.subspan(done, blocks * bs);
      ScsiOutcome outcome = io((offset + done) / bs, static_cast<std::uint32_t>(blocks), piece);
      if (!outcome.good()) {
        if (done > 0) return {.value = static_cast<std::int64_t>(done)};
        return {.value = bytes_or_errno(outcome, 0), .detail = std::string(name) + ": " + outcome.describe()};
      }
      done += blocks * bs;
    }
    return {.value = static_cast<std::int64_t>(done)};
  }

  Lun source_;
  Lun destination_;
  bool same_lun_;
  std::string xcopy_refusal_;
  TargetInfo info_;
  std::atomic<bool> interrupted_{false};
  std::atomic<std::uint8_t> next_list_id_{1};
};

std::expected<Lun, CopyError> open_lun(const LunOpener& opener, const std::string& address) {
  auto session = opener(address);
  if (!session) return std::unexpected(session.error());
  auto profile = discover_lun(**session);
  if (!profile) return std::unexpected(CopyError{EIO, address, profile.error()});
  return Lun{std::shared_ptr<ScsiTransport>(std::move(*session)), std::move(*profile)};
}

// Why EXTENDED COPY must not run between these two LUNs ("" = it may).
std::string equal_designator_trap(const Lun& source, const Lun& destination) {
  if (!source.profile.identification || !destination.profile.identification) return "";
  const scsi::Designator* a = source.profile.identification->best_for_copy();
  const scsi::Designator* b = destination.profile.identification->best_for_copy();
  if (a == nullptr || b == nullptr || !(*a == *b)) return "";
  std::string serials = source.profile.serial != destination.profile.serial
                            ? " although their unit serial numbers differ ('" + source.profile.serial + "' vs '" +
                                  destination.profile.serial + "'; LIO builds the NAA id from only part of the serial)"
                            : "";
  return "source and destination are different addresses but report the same LUN designator " +
         scsi::designator_hex(*a) + serials +
         ": EXTENDED COPY names LUNs by that designator and could copy onto the wrong LUN; refusing it";
}

}  // namespace

std::expected<std::unique_ptr<CopyTarget>, CopyError> ScsiLunFactory::open(const CopyRequest& request) {
  if (request.atomic) {
    return std::unexpected(CopyError{EINVAL, request.destination, "--atomic needs a file destination: a LUN range has no name to publish"});
  }
  if (request.method == MethodChoice::clone || request.method == MethodChoice::kernel_copy) {
    return std::unexpected(CopyError{EOPNOTSUPP, request.destination,
                                     std::string(method_choice_name(request.method)) + " works on files, not on LUNs"});
  }
  auto source = open_lun(opener_, request.source);
  if (!source) return std::unexpected(source.error());
  Lun destination;
  bool same_lun = request.destination == request.source;
  if (same_lun) {
    destination = *source;
  } else {
    auto opened = open_lun(opener_, request.destination);
    if (!opened) return std::unexpected(opened.error());
    destination = std::move(*opened);
    // Two names of one LUN (/dev/sg1 and /dev/sda): one LUN, not the trap.
    same_lun = destination.session->identity() == source->session->identity();
  }
  const std::uint32_t bs = source->profile.block_bytes;
  if (destination.profile.block_bytes != bs) {
    return std::unexpected(CopyError{EINVAL, request.destination, "block size " + std::to_string(destination.profile.block_bytes) +
                                                                      " differs from the source's " + std::to_string(bs)});
  }
  const std::uint64_t size = source->profile.bytes();
  if (request.source_offset > size) {
    return std::unexpected(CopyError{EINVAL, request.source, "source offset " + std::to_string(request.source_offset) +
                                                                 " is past the end of the LUN (" + std::to_string(size) + " bytes)"});
  }
  std::uint64_t length = request.length.value_or(size - request.source_offset);
  if (length > size - request.source_offset) {
    return std::unexpected(CopyError{EINVAL, request.source, "range of " + std::to_string(length) + " bytes at offset " +
                                                                 std::to_string(request.source_offset) + " ends past the end of the LUN (" +
                                                                 std::to_string(size) + " bytes)"});
  }
  for (std::uint64_t value : {request.source_offset, request.destination_offset, length}) {
    if (value % bs != 0) {
      return std::unexpected(CopyError{EINVAL, request.destination, "offsets and length must be whole " + std::to_string(bs) +
                                                                        "-byte blocks (" + std::to_string(value) + " is not)"});
    }
  }
  const std::uint64_t destination_size = destination.profile.bytes();
  if (request.destination_offset > destination_size || length > destination_size - request.destination_offset) {
    return std::unexpected(CopyError{ENOSPC, request.destination, "range ends past the end of the destination LUN (" +
                                                                      std::to_string(destination_size) + " bytes)"});
  }
  if (same_lun && ranges_overlap({request.source_offset, length}, {request.destination_offset, length})) {
    return std::unexpected(CopyError{EINVAL, request.destination, "source and destination are the same LUN and the ranges overlap"});
  }
  std::string refusal = same_lun ? "" : equal_designator_trap(*source, destination);
  if (!refusal.empty() && request.method == MethodChoice::scsi_xcopy) {
    return std::unexpected(CopyError{EINVAL, request.destination, refusal});
  }
  if (request.method == MethodChoice::scsi_odx) {
    return std::unexpected(CopyError{EOPNOTSUPP, request.destination,
                                     "scsi-odx on real LUNs is not implemented (no open-source target offers POPULATE TOKEN)"});
  }
  if (refusal.empty()) {
    std::string why = source->profile.xcopy_unsupported_reason();
    if (why.empty() && !same_lun && (!destination.profile.identification || !destination.profile.identification->best_for_copy())) {
      why = "the destination LUN has no designator in VPD page 0x83 to name it in an 0xE4 descriptor";
    }
    if (!why.empty()) refusal = "the source LUN cannot run EXTENDED COPY: " + why;
    if (!why.empty() && request.method == MethodChoice::scsi_xcopy) {
      return std::unexpected(CopyError{EOPNOTSUPP, request.source, "scsi-xcopy is not possible: " + refusal});
    }
  }

  TargetInfo info;
  info.source_size = size;
  info.source_range = {request.source_offset, length};
  info.destination_offset = request.destination_offset;
  info.source_fs = source->session->kind() + ":" + source->profile.inquiry.vendor;
  info.destination_fs = destination.session->kind() + ":" + destination.profile.inquiry.vendor;
  info.file_methods = false;
  info.device_methods = {Method::scsi_xcopy};  // tried first in auto; a refusal is a recorded fallback
  info.max_op_bytes[static_cast<std::size_t>(Method::scsi_xcopy)] = source->profile.xcopy_max_bytes(same_lun ? 1 : 2);
  return std::make_unique<ScsiLunTarget>(std::move(*source), std::move(destination), same_lun, std::move(refusal),
                                          std::move(info));
}

}  // namespace offload
