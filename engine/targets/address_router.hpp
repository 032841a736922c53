// The factory front ends use: NVMe namespace nodes (/dev/nvmeXnY,
// /dev/ngXnY: passthrough) go to the NVMe namespace target, `iscsi://`
// addresses (libiscsi) and SCSI device nodes (/dev/sgN, /dev/sdX, or any
// other block or character device: SG_IO) to the LUN target, everything
// else to POSIX files. A copy between a namespace and anything else is
// refused. A copy between a
// file and a LUN is refused (not implemented yet); a copy between an iSCSI
// LUN and a local one is allowed (host copy; XCOPY where the copy manager
// reaches the other LUN).
#pragma once

#include <string>

#include "engine/targets/iscsi_session.hpp"
#include "engine/targets/nvme_namespace.hpp"
#include "engine/targets/nvme_transport_choice.hpp"
#include "engine/targets/posix_file.hpp"
#include "engine/targets/scsi_lun.hpp"

namespace offload {

/// True when `address` names a LUN: iscsi://, /dev/sg*, /dev/sd*, or an existing device node.
bool is_lun_address(const std::string& address);
/// Opens one LUN address with its transport (libiscsi within `timeouts`, or
/// SG_IO); the error names the address and, for iSCSI, the phase that failed.
std::expected<std::unique_ptr<ScsiTransport>, CopyError> open_lun_transport(const std::string& address,
                                                                           const IscsiTimeouts& timeouts = {});

/// Routes each request to the factory for its kind of address.
class AddressRouter final : public TargetFactory {
 public:
  /// Routes with the given iSCSI time limits.
  explicit AddressRouter(IscsiTimeouts iscsi = {})
      : luns_([iscsi](const std::string& address) { return open_lun_transport(address, iscsi); }),
        namespaces_(open_nvme_transport) {}
  /// Opens files, LUNs or NVMe namespaces; EINVAL for a mix.
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;

 private:
  PosixFileFactory files_;
  ScsiLunFactory luns_;
  NvmeNamespaceFactory namespaces_;
};

}  // namespace offload
