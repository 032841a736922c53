// Cuts a copy of consecutive blocks within one namespace into Copy
// commands that respect the namespace's limits (NVM Command Set 1.0,
// 4.1.5.1): no source range longer than MSSRL blocks, no command with more
// than MSRC + 1 ranges or more than MCL blocks in all. A command's ranges
// are consecutive pieces of the source and land one after the other from
// its SDLBA, so each command moves min(MCL, (MSRC + 1) x MSSRL) blocks
// except the last: ceil(blocks / that) commands in all.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/nvme/command.hpp"
#include "engine/nvme/identify.hpp"

namespace offload::nvme {

/// The limits one Copy command must keep.
struct CopyLimits {
  std::uint32_t max_range_blocks = 0;    ///< MSSRL (at most 65536: NLB is 16 bits)
  std::uint32_t max_command_blocks = 0;  ///< MCL
  std::uint32_t max_ranges = 1;          ///< MSRC + 1 (1 to 256)
  friend bool operator==(const CopyLimits&, const CopyLimits&) = default;
};

/// The namespace's limits.
CopyLimits copy_limits(const NamespaceIdentity& identity);

/// Why Copy cannot be used on this controller and namespace ("" when it can):
/// ONCS bit 8 clear, MSSRL or MCL of 0, no descriptor format 0h or 1h in
/// OCFS, or a namespace with metadata (the engine moves no metadata).
std::string copy_unusable_reason(const ControllerIdentity& controller, const NamespaceIdentity& ns);

/// The descriptor format to send: 0h unless OCFS lists only 1h (a
/// controller of NVMe 1.4, before OCFS, leaves it 0 and supports 0h).
std::uint8_t copy_descriptor_format(const ControllerIdentity& controller);

/// Blocks one command moves at most: min(MCL, max ranges x MSSRL).
std::uint64_t blocks_per_command(const CopyLimits& limits);

/// The Copy commands for `blocks` blocks from `source_lba` to
/// `destination_lba` in namespace `nsid`, in order; empty when `blocks` is
/// 0 or a limit is 0.
std::vector<Copy> plan_copy(std::uint32_t nsid, std::uint64_t source_lba, std::uint64_t destination_lba,
                            std::uint64_t blocks, const CopyLimits& limits, std::uint8_t format = 0);

}  // namespace offload::nvme
