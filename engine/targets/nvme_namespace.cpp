#include "engine/targets/nvme_namespace.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/targets/block_range.hpp"
#include "engine/targets/nvme_namespace_target.hpp"

namespace offload {
namespace {

// One open namespace and what Identify said.
struct OpenNamespace {
  std::shared_ptr<NvmeTransport> transport;
  nvme::ControllerIdentity controller;
  nvme::NamespaceIdentity ns;
  [[nodiscard]] std::string identity() const {
    return controller.serial + "/" + controller.model + "/" + std::to_string(transport->namespace_id());
  }
  [[nodiscard]] BlockDevice device() const { return {ns.size_blocks * ns.block_bytes(), ns.block_bytes()}; }
};

std::expected<OpenNamespace, CopyError> open_namespace(const NvmeOpener& opener, const std::string& address) {
  auto transport = opener(address);
  if (!transport) return std::unexpected(transport.error());
  OpenNamespace opened{.transport = std::shared_ptr<NvmeTransport>(std::move(*transport))};
  auto controller = identify_controller(*opened.transport);
  if (!controller) return std::unexpected(CopyError{EIO, address, controller.error()});
  auto ns = identify_namespace(*opened.transport);
  if (!ns) return std::unexpected(CopyError{EIO, address, ns.error()});
  if (ns->metadata_bytes != 0) {
    return std::unexpected(CopyError{EOPNOTSUPP, address, "the namespace's LBA format has " + std::to_string(ns->metadata_bytes) +
                                                             " metadata bytes per block, which this engine does not move"});
  }
  opened.controller = std::move(*controller);
  opened.ns = *ns;
  return opened;
}

// Blocks per Read/Write: MDTS in units of the smallest memory page a
// controller may have (4 KiB: CAP.MPSMIN is not visible to user space), at
// most kNvmeMaxHostTransferBytes and 65536 blocks.
std::uint32_t max_transfer_blocks(const nvme::ControllerIdentity& controller, std::uint32_t block_bytes) {
  std::uint64_t bytes = kNvmeMaxHostTransferBytes;
  if (controller.mdts != 0 && controller.mdts < 32) bytes = std::min(bytes, (std::uint64_t{1} << controller.mdts) * 4096);
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(bytes / block_bytes, 1, nvme::kMaxBlocksPerField));
}

}  // namespace

std::expected<std::unique_ptr<CopyTarget>, CopyError> NvmeNamespaceFactory::open(const CopyRequest& request) {
  if (request.atomic) {
    return std::unexpected(CopyError{EINVAL, request.destination, "--atomic needs a file destination: a namespace range has no name to publish"});
  }
  if (request.method != MethodChoice::automatic && request.method != MethodChoice::nvme_copy &&
      request.method != MethodChoice::host) {
    return std::unexpected(CopyError{EOPNOTSUPP, request.destination, std::string(method_choice_name(request.method)) +
                                                                          " does not work on NVMe namespaces (nvme-copy, host or auto do)"});
  }
  auto source = open_namespace(opener_, request.source);
  if (!source) return std::unexpected(source.error());
  OpenNamespace destination;
  if (request.destination == request.source) {
    destination = *source;
  } else {
    auto opened = open_namespace(opener_, request.destination);
    if (!opened) return std::unexpected(opened.error());
    destination = std::move(*opened);
  }
  const bool same_namespace = destination.identity() == source->identity();
  auto length = resolve_block_range(request, source->device(), destination.device(), same_namespace, "namespace");
  if (!length) return std::unexpected(length.error());

  NvmeCopyPlan plan{.limits = nvme::copy_limits(source->ns),
                    .descriptor_format = nvme::copy_descriptor_format(source->controller),
                    .block_bytes = source->ns.block_bytes(),
                    .max_transfer_blocks = std::min(max_transfer_blocks(source->controller, source->ns.block_bytes()),
                                                    max_transfer_blocks(destination.controller, source->ns.block_bytes()))};
  if (!same_namespace) {
    plan.copy_refusal = "source and destination are different namespaces (" + source->identity() + " and " +
                        destination.identity() + "): NVMe Copy formats 0h and 1h copy within one namespace";
  } else if (std::string why = nvme::copy_unusable_reason(source->controller, source->ns); !why.empty()) {
    plan.copy_refusal = "NVMe Copy is not possible on " + request.source + ": " + why;
  }
  if (!plan.copy_refusal.empty() && request.method == MethodChoice::nvme_copy) {
    return std::unexpected(CopyError{EOPNOTSUPP, request.source, "nvme-copy is not possible: " + plan.copy_refusal});
  }

  TargetInfo info;
  info.source_size = source->device().bytes;
  info.source_range = {request.source_offset, *length};
  info.destination_offset = request.destination_offset;
  info.source_fs = source->transport->kind() + ":" + source->controller.model;
  info.destination_fs = destination.transport->kind() + ":" + destination.controller.model;
  info.needs_host_memory = source->transport->carries_data() && destination.transport->carries_data();
  info.file_methods = false;
  info.device_methods = {Method::nvme_copy};  // tried first in auto; a refusal is a recorded fallback
  return std::make_unique<NvmeNamespaceTarget>(source->transport, destination.transport, std::move(plan), std::move(info));
}

}  // namespace offload
