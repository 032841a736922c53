// Real LUNs over iSCSI (libiscsi) as an engine target: a source LUN range
// and a destination LUN range, both `iscsi://HOST:PORT/IQN/LUN`. Host
// copies are READ(16)/WRITE(16) through this machine; the device offload
// is EXTENDED COPY (LID1) sent to the source LUN's copy manager, one
// command per engine operation, each at most the copy manager's segment
// descriptors x min(MAXIMUM SEGMENT LENGTH, 65,535 blocks).
//
// Discovery at open (engine/targets/scsi_lun_profile.hpp) decides what is
// offered. In `auto` scsi-xcopy is always tried first between two LUNs:
// where the device cannot do it (3PC clear, RECEIVE COPY RESULTS answers
// INVALID OPERATION CODE, as tgt does) the operation answers EOPNOTSUPP
// without sending EXTENDED COPY and the engine records the fallback to
// host with the device's answer; an EXTENDED COPY refused with INVALID
// OPERATION CODE does the same. Two different addresses whose LUNs report
// the same NAA designator (LIO builds it from only the first 13 or 25 hex digits of the
// serial: XCOPY between them returns GOOD but writes the source LUN) are
// refused before any copy: at submit for a pinned scsi-xcopy, as a
// recorded fallback in auto. Cancel is checked between commands: one
// EXTENDED COPY (LID1) cannot be aborted once sent and runs out.
#pragma once

#include <memory>

#include "engine/target.hpp"

namespace offload {

/// Opens pairs of iSCSI LUN ranges.
class IscsiLunFactory final : public TargetFactory {
 public:
  /// Logs in to both LUNs, discovers them, checks the ranges (whole blocks,
  /// inside both LUNs, not overlapping within one LUN).
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;
};

}  // namespace offload
