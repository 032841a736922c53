#include "engine/targets/address_router.hpp"

#include <cerrno>

#include "engine/targets/iscsi_session.hpp"

namespace offload {

std::expected<std::unique_ptr<CopyTarget>, CopyError> AddressRouter::open(const CopyRequest& request) {
  bool source_lun = is_iscsi_url(request.source);
  bool destination_lun = is_iscsi_url(request.destination);
  if (source_lun && destination_lun) return luns_.open(request);
  if (source_lun || destination_lun) {
    return std::unexpected(CopyError{EINVAL, source_lun ? request.destination : request.source,
                                     "copies between a file and an iSCSI LUN are not supported; both ends must be iscsi:// or both files"});
  }
  return files_.open(request);
}

}  // namespace offload
