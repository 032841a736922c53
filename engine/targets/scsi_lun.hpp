// Opens LUN ranges for the engine over any ScsiTransport (iSCSI through
// libiscsi, local /dev/sgN and /dev/sdX through SG_IO, the simulated array
// through sim/targets/scsi_array_transport.hpp): a source LUN range and a
// destination LUN range, copied by ScsiLunTarget (scsi_lun_target.hpp).
//
// Discovery at open (engine/targets/scsi_lun_profile.hpp) decides what is
// offered. In `auto` scsi-xcopy is always tried first between two LUNs:
// where the device cannot do it (3PC clear, RECEIVE COPY RESULTS answers
// INVALID OPERATION CODE, as tgt does) the operation answers EOPNOTSUPP
// without sending EXTENDED COPY and the engine records the fallback with
// the device's answer; an EXTENDED COPY refused with INVALID OPERATION CODE
// does the same. scsi-odx is offered where both LUNs list the token
// commands in VPD 0x8F. Two addresses of different LUNs (by the
// transport's identity: the URL, or the SCSI H:C:T:L behind a device node)
// that report the same NAA designator (LIO builds it from only the first
// 13 or 25 hex digits of the serial: XCOPY between them returns GOOD but
// writes the source LUN) are refused EXTENDED COPY before any copy: at
// submit for a pinned scsi-xcopy, as a recorded fallback in auto.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/target.hpp"
#include "engine/targets/scsi_lun_target.hpp"
#include "engine/targets/scsi_transport.hpp"

namespace offload {

/// Opens one LUN address (iscsi:// URL or device path); the error names it.
using LunOpener = std::function<std::expected<std::unique_ptr<ScsiTransport>, CopyError>(const std::string& address)>;

/// Opens pairs of LUN ranges through the transports `opener` gives.
class ScsiLunFactory final : public TargetFactory {
 public:
  /// `opener` turns each address of a request into a transport.
  explicit ScsiLunFactory(LunOpener opener) : opener_(std::move(opener)) {}
  /// Opens both LUNs, discovers them, checks the ranges (whole blocks,
  /// inside both LUNs, not overlapping within one LUN).
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;

 private:
  LunOpener opener_;
  std::shared_ptr<CopyListIds> list_ids_ = std::make_shared<CopyListIds>();  // this initiator's list identifiers
};

}  // namespace offload
