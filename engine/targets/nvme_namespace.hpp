// Opens NVMe namespace ranges for the engine over any NvmeTransport (Linux
// passthrough for /dev/nvmeXnY and /dev/ngXnY, a fake or a simulated
// controller): a source range and a destination range, copied by
// NvmeNamespaceTarget (nvme_namespace_target.hpp).
//
// Identify at open decides what is offered. Between two namespace
// addresses `auto` always tries nvme-copy first, then host (as the LUN
// target tries EXTENDED COPY): where Copy cannot run (ONCS bit 8 clear,
// limits of 0, two different namespaces: Copy formats 0h and 1h copy within
// one namespace) the operation answers EOPNOTSUPP without sending Copy and
// the engine records the fallback with the reason. A pinned nvme-copy that
// cannot run is refused at submit. Two addresses are one namespace when
// their controllers report the same serial number and model and the
// namespace identifiers agree (/dev/nvme0n1 and /dev/ng0n1).
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "engine/target.hpp"
#include "engine/targets/nvme_transport.hpp"

namespace offload {

/// Opens one namespace address; the error names it.
using NvmeOpener = std::function<std::expected<std::unique_ptr<NvmeTransport>, CopyError>(const std::string& address)>;

/// Most bytes one Read or Write carries whatever MDTS allows: Linux maps a
/// passthrough buffer page by page and nvme-pci takes at most 127 segments
/// per command (drivers/nvme/host/pci.c, NVME_MAX_SEGS), so 256 KiB stays
/// inside any page size.
inline constexpr std::uint64_t kNvmeMaxHostTransferBytes = 256 << 10;

/// Opens pairs of namespace ranges through the transports `opener` gives.
class NvmeNamespaceFactory final : public TargetFactory {
 public:
  /// `opener` turns each address of a request into a transport.
  explicit NvmeNamespaceFactory(NvmeOpener opener) : opener_(std::move(opener)) {}
  /// Opens and identifies both namespaces and checks the ranges (whole
  /// blocks, inside both, not overlapping within one namespace).
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;

 private:
  NvmeOpener opener_;
};

}  // namespace offload
