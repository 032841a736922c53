// A source LUN range and a destination LUN range as one engine target, over
// any ScsiTransport (iSCSI, SG_IO, or the simulated array's transport in
// sim/targets/): the same code for real and simulated LUNs.
//  - host copies are READ(16)/WRITE(16) through this machine, in commands no
//    longer than the LUNs' and transports' maximum transfer;
//  - scsi-xcopy is one EXTENDED COPY (LID1) sent to the source LUN's copy
//    manager per engine operation, the range cut into block-to-block
//    segments by the discovered limits (LunProfile::xcopy_segment_bytes);
//  - scsi-odx is POPULATE TOKEN on the source LUN, RECEIVE ROD TOKEN
//    INFORMATION for the token, WRITE USING TOKEN (IMMED, DEL_TKN) on the
//    destination LUN, then RRTI polls at the device's ESTIMATED STATUS
//    UPDATE DELAY until the copy ends (SBC-3; ddpt polls the same way).
// A refused command's status and sense become errno through
// scsi::errno_for (engine/scsi/sense_errno.hpp), with the device's answer
// as the detail the engine records with a fallback. Cancel is checked
// between commands: one EXTENDED COPY cannot be aborted once sent and runs
// out, and a started token copy is polled to its end.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/target.hpp"
#include "engine/targets/scsi_lun_profile.hpp"
#include "engine/targets/scsi_transport.hpp"

namespace offload {

/// One open LUN: its transport and what it said at open.
struct Lun {
  std::shared_ptr<ScsiTransport> session;  ///< how commands reach it
  LunProfile profile;                      ///< discovery's answers
};

/// List identifiers of one initiator: EXTENDED COPY, POPULATE TOKEN and
/// WRITE USING TOKEN name their held results by a list identifier that must
/// be unique per I_T nexus (SPC-4 6.4, LIST IDENTIFIER), so every copy of one initiator
/// (one factory) draws from one counter.
struct CopyListIds {
  std::atomic<std::uint32_t> next{1};  ///< next identifier to hand out
  /// A fresh identifier (wraps at 2^32).
  std::uint32_t take() { return next.fetch_add(1); }
};

/// What the factory decided at open, beyond the two LUNs.
struct ScsiLunPlan {
  bool same_lun = false;       ///< source and destination are one LUN (one CSCD descriptor)
  std::string xcopy_refusal;   ///< why EXTENDED COPY must not be sent ("" = it may)
  std::string odx_refusal;     ///< why the token copy must not be sent ("" = it may)
};

/// The engine target for a pair of LUN ranges.
class ScsiLunTarget final : public CopyTarget {
 public:
  /// `list_ids` is shared by the initiator's targets.
  ScsiLunTarget(Lun source, Lun destination, ScsiLunPlan plan, std::shared_ptr<CopyListIds> list_ids, TargetInfo info);
  const TargetInfo& info() const override { return info_; }
  /// The whole range: a LUN has no holes the host can see.
  OpResult map_data(ByteRange range) override;
  OpResult read(const Op& op) override;
  OpResult write(const Op& op) override;
  OpResult xcopy(const Op& op) override;
  OpResult odx(const Op& op) override;
  /// Nothing to do: the engine zeroes no LUN range (no holes).
  OpResult zero_range(const Op& op) override { return {.value = static_cast<std::int64_t>(op.length)}; }
  /// SYNCHRONIZE CACHE(10) on the destination (INVALID OPERATION CODE counts as done).
  OpResult finish() override;
  /// Blocks already written stay written: there is no name to undo.
  OpResult abort() override { return {}; }
  void interrupt() override { interrupted_.store(true); }

 private:
  template <class Io>
  OpResult transfer(const Op& op, Io io, std::uint64_t offset, const char* name);
  OpResult refused(const std::string& what, const Lun& lun, const ScsiOutcome& outcome) const;
  OpResult wait_token_copy(std::uint32_t list_id, std::uint64_t blocks, OperationClock& clock);
  std::uint32_t block_bytes() const { return source_.profile.block_bytes; }

  Lun source_;
  Lun destination_;
  ScsiLunPlan plan_;
  std::shared_ptr<CopyListIds> list_ids_;
  TargetInfo info_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace offload
