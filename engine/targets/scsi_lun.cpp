#include "engine/targets/scsi_lun.hpp"

#include <cerrno>

#include "engine/targets/block_range.hpp"
#include "engine/targets/scsi_lun_target.hpp"

namespace offload {
namespace {

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
  auto resolved = resolve_block_range(request, {source->profile.bytes(), source->profile.block_bytes},
                                      {destination.profile.bytes(), destination.profile.block_bytes}, same_lun, "LUN");
  if (!resolved) return std::unexpected(resolved.error());
  const std::uint64_t length = *resolved;
  const std::uint64_t size = source->profile.bytes();
  std::string refusal = same_lun ? "" : equal_designator_trap(*source, destination);
  if (!refusal.empty() && request.method == MethodChoice::scsi_xcopy) {
    return std::unexpected(CopyError{EINVAL, request.destination, refusal});
  }
  ScsiLunPlan plan{.same_lun = same_lun, .xcopy_refusal = std::move(refusal)};
  if (std::string why = source->profile.odx_unsupported_reason(); !why.empty()) {
    plan.odx_refusal = "the source LUN cannot run the token copy: " + why;
  } else if (std::string dest_why = destination.profile.odx_unsupported_reason(); !dest_why.empty()) {
    plan.odx_refusal = "the destination LUN cannot run WRITE USING TOKEN: " + dest_why;
  }
  if (!plan.odx_refusal.empty() && request.method == MethodChoice::scsi_odx) {
    return std::unexpected(CopyError{EOPNOTSUPP, request.source, "scsi-odx is not possible: " + plan.odx_refusal});
  }
  if (plan.xcopy_refusal.empty()) {
    std::string why = source->profile.xcopy_unsupported_reason();
    if (why.empty() && !same_lun && (!destination.profile.identification || !destination.profile.identification->best_for_copy())) {
      why = "the destination LUN has no designator in VPD page 0x83 to name it in an 0xE4 descriptor";
    }
    if (!why.empty()) plan.xcopy_refusal = "the source LUN cannot run EXTENDED COPY: " + why;
    if (!why.empty() && request.method == MethodChoice::scsi_xcopy) {
      return std::unexpected(CopyError{EOPNOTSUPP, request.source, "scsi-xcopy is not possible: " + plan.xcopy_refusal});
    }
  }

  TargetInfo info;
  info.source_size = size;
  info.source_range = {request.source_offset, length};
  info.destination_offset = request.destination_offset;
  info.source_fs = source->session->kind() + ":" + source->profile.inquiry.vendor;
  info.destination_fs = destination.session->kind() + ":" + destination.profile.inquiry.vendor;
  info.needs_host_memory = source->session->carries_data() && destination.session->carries_data();
  info.file_methods = false;
  // EXTENDED COPY is tried first in auto (as VMware's VAAI does, learning
  // support from the answer): a refusal is a recorded fallback. The token
  // copy is offered only where VPD 0x8F lists it (as Windows does).
  info.device_methods = {Method::scsi_xcopy};
  if (plan.odx_refusal.empty()) info.device_methods.push_back(Method::scsi_odx);
  info.max_op_bytes[static_cast<std::size_t>(Method::scsi_xcopy)] = source->profile.xcopy_max_bytes(same_lun ? 1 : 2);
  info.max_op_bytes[static_cast<std::size_t>(Method::scsi_odx)] = source->profile.odx_max_bytes();
  return std::make_unique<ScsiLunTarget>(std::move(*source), std::move(destination), std::move(plan), list_ids_,
                                          std::move(info));
}

}  // namespace offload
