#include "engine/targets/nvme_namespace_target.hpp"

#include <algorithm>
#include <cerrno>

namespace offload {

NvmeNamespaceTarget::NvmeNamespaceTarget(std::shared_ptr<NvmeTransport> source, std::shared_ptr<NvmeTransport> destination,
                                         NvmeCopyPlan plan, TargetInfo info)
    : source_(std::move(source)), destination_(std::move(destination)), plan_(std::move(plan)), info_(std::move(info)) {}

OpResult NvmeNamespaceTarget::map_data(ByteRange range) {
  OpResult result;
  if (range.length > 0) result.extents.push_back(range);
  return result;
}

// Moves op.length bytes in Read or Write commands of at most max_transfer_blocks.
OpResult NvmeNamespaceTarget::transfer(const Op& op, bool write) {
  NvmeTransport& device = write ? *destination_ : *source_;
  const std::uint64_t offset = write ? op.destination_offset : op.source_offset;
  const std::uint32_t bs = plan_.block_bytes;
  std::uint64_t done = 0;
  while (done < op.length) {
    if (interrupted_.load()) return {.value = done > 0 ? static_cast<std::int64_t>(done) : -ECANCELED};
    auto blocks = static_cast<std::uint32_t>(std::min<std::uint64_t>((op.length - done) / bs, plan_.max_transfer_blocks));
    if (blocks == 0) return {.value = -EINVAL, .detail = "a transfer of part of a block"};
    nvme::Command command = nvme::encode_read_write(
        {.write = write, .nsid = device.namespace_id(), .lba = (offset + done) / bs, .blocks = blocks});
    std::span<std::uint8_t> piece;
    if (!op.buffer.empty()) piece = {reinterpret_cast<std::uint8_t*>(op.buffer.data()) + done, std::size_t{blocks} * bs};
    NvmeOutcome outcome = write ? device.io(command, piece, {}) : device.io(command, {}, piece);
    if (!outcome.good()) {
      if (done > 0) return {.value = static_cast<std::int64_t>(done)};
      return {.value = -static_cast<std::int64_t>(outcome.to_errno()),
              .detail = std::string(write ? "NVMe Write" : "NVMe Read") + " to " + device.address() + ": " + outcome.describe()};
    }
    done += std::uint64_t{blocks} * bs;
  }
  return {.value = static_cast<std::int64_t>(done)};
}

OpResult NvmeNamespaceTarget::read(const Op& op) { return transfer(op, false); }

OpResult NvmeNamespaceTarget::write(const Op& op) { return transfer(op, true); }

OpResult NvmeNamespaceTarget::nvme_copy(const Op& op) {
  if (!plan_.copy_refusal.empty()) return {.value = -EOPNOTSUPP, .detail = plan_.copy_refusal};
  const std::uint32_t bs = plan_.block_bytes;
  if (op.length % bs != 0) return {.value = -EINVAL, .detail = "a copy of part of a block"};
  std::vector<nvme::Copy> commands = nvme::plan_copy(source_->namespace_id(), op.source_offset / bs,
                                                     op.destination_offset / bs, op.length / bs, plan_.limits,
                                                     plan_.descriptor_format);
  std::uint64_t done = 0;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (interrupted_.load()) return {.value = done > 0 ? static_cast<std::int64_t>(done) : -ECANCELED};
    nvme::EncodedCopy encoded = nvme::encode_copy(commands[i]);
    NvmeOutcome outcome = source_->io(encoded.command, encoded.ranges, {});
    copy_commands_.fetch_add(1);
    if (!outcome.good()) {
      if (done > 0) return {.value = static_cast<std::int64_t>(done)};  // the engine re-issues the rest
      int err = outcome.to_errno();
      if (outcome.transport_error.empty() && err != EOPNOTSUPP && err != EINVAL) err = EREMOTEIO;
      return {.value = -static_cast<std::int64_t>(err),
              .detail = "NVMe Copy to " + source_->address() + " (command " + std::to_string(i + 1) + " of " +
                        std::to_string(commands.size()) + ", " + std::to_string(commands[i].ranges.size()) + " ranges, " +
                        std::to_string(commands[i].blocks()) + " blocks): " + outcome.describe()};
    }
    done += commands[i].blocks() * bs;
  }
  return {.value = static_cast<std::int64_t>(done)};
}

OpResult NvmeNamespaceTarget::finish() {
  NvmeOutcome outcome = destination_->io(nvme::flush_command(destination_->namespace_id()), {}, {});
  if (outcome.good() || outcome.invalid_opcode()) return {};
  return {.value = -static_cast<std::int64_t>(outcome.to_errno()),
          .detail = "NVMe Flush to " + destination_->address() + ": " + outcome.describe()};
}

}  // namespace offload
