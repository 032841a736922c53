#include "engine/targets/nvme_transport_choice.hpp"

#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/nvme_uring_transport.hpp"

namespace offload {

std::expected<std::unique_ptr<NvmeTransport>, CopyError> open_nvme_transport(const std::string& address) {
  auto device = NvmeIoctlTransport::open(address);
  if (!device) return std::unexpected(device.error());
  if (!address.starts_with("/dev/ng")) return std::unique_ptr<NvmeTransport>(std::move(*device));
  std::unique_ptr<NvmeIoctlTransport> node = std::move(*device);
  auto ring = NvmeUringTransport::open(node);
  if (ring) return std::unique_ptr<NvmeTransport>(std::move(*ring));
  node->record_uring_refusal(ring.error());
  return std::unique_ptr<NvmeTransport>(std::move(node));
}

}  // namespace offload
