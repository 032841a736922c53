#include "engine/nvme/copy_plan.hpp"

#include <algorithm>

namespace offload::nvme {

CopyLimits copy_limits(const NamespaceIdentity& identity) {
  return CopyLimits{.max_range_blocks = std::min<std::uint32_t>(identity.mssrl, kMaxBlocksPerField),
                    .max_command_blocks = identity.mcl,
                    .max_ranges = identity.max_ranges()};
}

std::string copy_unusable_reason(const ControllerIdentity& controller, const NamespaceIdentity& ns) {
  if (!controller.copy_supported()) {
    return "the controller does not support Copy (Identify Controller ONCS bit 8 is clear, ONCS " +
           std::to_string(controller.oncs) + ")";
  }
  if (ns.mssrl == 0 || ns.mcl == 0) {
    return "the namespace reports Copy limits of 0 (MSSRL " + std::to_string(ns.mssrl) + ", MCL " +
           std::to_string(ns.mcl) + ")";
  }
  if (controller.ocfs != 0 && (controller.ocfs & 3) == 0) {
    return "the controller supports no Copy descriptor format 0h or 1h (OCFS " + std::to_string(controller.ocfs) + ")";
  }
  if (ns.metadata_bytes != 0) {
    return "the namespace's LBA format has " + std::to_string(ns.metadata_bytes) +
           " metadata bytes per block, which this engine does not move";
  }
  return "";
}

std::uint8_t copy_descriptor_format(const ControllerIdentity& controller) {
  return controller.ocfs != 0 && (controller.ocfs & 1) == 0 && (controller.ocfs & 2) != 0 ? 1 : 0;
}

std::uint64_t blocks_per_command(const CopyLimits& limits) {
  return std::min<std::uint64_t>(limits.max_command_blocks, std::uint64_t{limits.max_ranges} * limits.max_range_blocks);
}

std::vector<Copy> plan_copy(std::uint32_t nsid, std::uint64_t source_lba, std::uint64_t destination_lba,
                            std::uint64_t blocks, const CopyLimits& limits, std::uint8_t format) {
  std::vector<Copy> commands;
  const std::uint64_t per_command = blocks_per_command(limits);
  if (per_command == 0) return commands;
  std::uint64_t done = 0;
  while (done < blocks) {
    Copy copy{.nsid = nsid, .destination_lba = destination_lba + done, .format = format};
    std::uint64_t left = std::min(blocks - done, per_command);
    while (left > 0) {
      auto piece = static_cast<std::uint32_t>(std::min<std::uint64_t>(left, limits.max_range_blocks));
      copy.ranges.push_back({.lba = source_lba + done, .blocks = piece});
      done += piece;
      left -= piece;
    }
    commands.push_back(std::move(copy));
  }
  return commands;
}

}  // namespace offload::nvme
