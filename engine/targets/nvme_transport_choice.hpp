// Which passthrough carries a namespace address's commands: io_uring
// (NVME_URING_CMD_IO, nvme_uring_transport.hpp) for a generic node
// /dev/ngXnY where liburing and the kernel support it, the ioctl
// (nvme_ioctl_transport.hpp) otherwise. The choice is recorded in the
// transport's kind(), which the engine reports as the target's filesystem
// column: "nvme-uring", "nvme" (a block node: Linux has URING_CMD only on
// the generic node), or "nvme-ioctl[io_uring refused: WHY]".
#pragma once

#include <expected>
#include <memory>
#include <string>

#include "engine/targets/nvme_transport.hpp"
#include "engine/types.hpp"

namespace offload {

/// Opens an NVMe namespace node with the transport chosen as above; the
/// error names the address.
std::expected<std::unique_ptr<NvmeTransport>, CopyError> open_nvme_transport(const std::string& address);

}  // namespace offload
