// The range rules of device targets that copy between block ranges (SCSI
// LUNs, NVMe namespaces): offsets and length in whole blocks, the source
// range inside the source, the destination range inside the destination,
// and no overlap when both ends are one device. The messages name the
// device kind ("LUN", "namespace").
#pragma once

#include <cstdint>
#include <expected>
#include <string_view>

#include "engine/types.hpp"

namespace offload {

/// One end of a block copy as found at open.
struct BlockDevice {
  std::uint64_t bytes = 0;        ///< device size
  std::uint32_t block_bytes = 0;  ///< logical block size
};

/// Checks `request` against the two devices and resolves its length (to
/// the source's end when unset); `same_device` when both ends are one
/// device. The error names the address at fault and the rule broken.
std::expected<std::uint64_t, CopyError> resolve_block_range(const CopyRequest& request, const BlockDevice& source,
                                                            const BlockDevice& destination, bool same_device,
                                                            std::string_view kind);

}  // namespace offload
