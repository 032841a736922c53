// The factory front ends use: `iscsi://` addresses go to the iSCSI LUN
// target, everything else to POSIX files. A copy between a file and a LUN
// is refused (not implemented yet).
#pragma once

#include "engine/targets/iscsi_lun.hpp"
#include "engine/targets/posix_file.hpp"

namespace offload {

/// Routes each request to the factory for its kind of address.
class AddressRouter final : public TargetFactory {
 public:
  /// Opens files or LUNs; EINVAL for a file/LUN mix.
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;

 private:
  PosixFileFactory files_;
  IscsiLunFactory luns_;
};

}  // namespace offload
