#include "engine/targets/address_router.hpp"

#include <cerrno>

#include "engine/targets/iscsi_session.hpp"
#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/sg_io_transport.hpp"

namespace offload {

bool is_lun_address(const std::string& address) {
  return is_iscsi_url(address) || is_scsi_device_path(address) || is_device_node(address);
}

std::expected<std::unique_ptr<ScsiTransport>, CopyError> open_lun_transport(const std::string& address,
                                                                           const IscsiTimeouts& timeouts) {
  if (is_iscsi_url(address)) {
    auto parsed = parse_iscsi_url(address);
    if (!parsed) return std::unexpected(CopyError{EINVAL, address, parsed.error()});
    auto session = IscsiSession::connect(*parsed, timeouts);
    if (!session) return std::unexpected(CopyError{session.error().errno_value, address, session.error().message});
    return std::unique_ptr<ScsiTransport>(std::move(*session));
  }
  auto device = SgIoTransport::open(address);
  if (!device) return std::unexpected(device.error());
  return std::unique_ptr<ScsiTransport>(std::move(*device));
}

std::expected<std::unique_ptr<CopyTarget>, CopyError> AddressRouter::open(const CopyRequest& request) {
  bool source_nvme = is_nvme_namespace_path(request.source);
  bool destination_nvme = is_nvme_namespace_path(request.destination);
  if (source_nvme && destination_nvme) return namespaces_.open(request);
  if (source_nvme || destination_nvme) {
    return std::unexpected(CopyError{EINVAL, source_nvme ? request.destination : request.source,
                                     "copies between an NVMe namespace (/dev/nvmeXnY, /dev/ngXnY) and a file or SCSI LUN "
                                     "are not supported; both ends must be namespaces"});
  }
  bool source_lun = is_lun_address(request.source);
  bool destination_lun = is_lun_address(request.destination);
  if (source_lun && destination_lun) return luns_.open(request);
  if (source_lun || destination_lun) {
    // A device that is no SCSI LUN (/dev/null, a loop or virtio disk): say so, naming it.
    const std::string& lun = source_lun ? request.source : request.destination;
    if (!is_iscsi_url(lun)) {
      if (auto device = SgIoTransport::open(lun); !device) return std::unexpected(device.error());
    }
    return std::unexpected(CopyError{EINVAL, source_lun ? request.destination : request.source,
                                     "copies between a file and a LUN (iscsi:// or a SCSI device) are not supported; "
                                     "both ends must be LUNs or both files"});
  }
  return files_.open(request);
}

}  // namespace offload
