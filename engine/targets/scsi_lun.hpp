// Real LUNs as an engine target, over any ScsiTransport (iSCSI through
// libiscsi, local /dev/sgN and /dev/sdX through SG_IO): a source LUN range
// and a destination LUN range. Host copies are READ(16)/WRITE(16) through
// this machine; the device offload is EXTENDED COPY (LID1) sent to the
// source LUN's copy manager, one command per engine operation, each at
// most the copy manager's segment descriptors x min(MAXIMUM SEGMENT
// LENGTH, 65,535 blocks).
//
// Discovery at open (engine/targets/scsi_lun_profile.hpp) decides what is
// offered. In `auto` scsi-xcopy is always tried first between two LUNs:
// where the device cannot do it (3PC clear, RECEIVE COPY RESULTS answers
// INVALID OPERATION CODE, as tgt does) the operation answers EOPNOTSUPP
// without sending EXTENDED COPY and the engine records the fallback to
// host with the device's answer; an EXTENDED COPY refused with INVALID
// OPERATION CODE does the same. Two addresses of different LUNs (by the
// transport's identity: the URL, or the SCSI H:C:T:L behind a device
// node) that report the same NAA designator (LIO builds it from only the
// first 13 or 25 hex digits of the serial: XCOPY between them returns GOOD
// but writes the source LUN) are refused before any copy: at submit for a
// pinned scsi-xcopy, as a recorded fallback in auto. Cancel is checked
// between commands: one EXTENDED COPY (LID1) cannot be aborted once sent
// and runs out.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/target.hpp"
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
};

}  // namespace offload
