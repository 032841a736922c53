// The engine's target for a pair of simulated SCSI LUNs. Host copies are
// READ/WRITE through the initiator (one memcpy of host CPU per byte each
// way, as a block-layer bounce). Device offloads are sent to the array as
// real SCSI bytes built with engine/scsi/, and its answers decoded with the
// same module, as an initiator would:
//  - discovery, once per initiator and array (ScsiSession): standard
//    INQUIRY (3PC), VPD 0x8F (ROD token limits, supported commands) and
//    RECEIVE COPY RESULTS operating parameters (maximum segment length,
//    segment descriptors per command), VPD 0x83 for each LUN's designator;
//  - scsi-xcopy: one EXTENDED COPY (LID1) per engine operation, whose range
//    is cut by the discovered limits (max_op_bytes) into block-to-block
//    segments; COPY ABORTED is followed by RECEIVE COPY RESULTS (failed
//    segment details) to fetch the sense;
//  - scsi-odx: POPULATE TOKEN, RRTI for the token, WRITE USING TOKEN
//    (IMMED, DEL_TKN), then RRTI polls at the array's estimated status
//    update delay until the copy ends.
// Offered methods follow the initiators that use them: XCOPY is tried on
// any same-array pair (as VMware's VAAI does, learning support from the
// first answer), ODX only where VPD 0x8F lists it (as Windows does).
// Answers map to errno for the engine, with the decoded sense as detail:
// INVALID COMMAND OPERATION CODE / INVALID FIELD IN CDB -> EOPNOTSUPP (the
// method is off for the copy), TOKEN EXPIRED or UNKNOWN -> ESTALE and COPY
// ABORTED -> EREMOTEIO (that range falls back, the method stays on), other
// sense -> EIO. Offloads across two arrays are refused (EXDEV).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/target.hpp"
#include "models/scsi_array.hpp"

namespace offload::models {

/// What one initiator learned about one array, and its list identifiers.
struct ScsiSession {
  bool discovered = false;                  ///< discovery ran
  bool third_party_copy = false;            ///< INQUIRY 3PC bit
  bool odx = false;                         ///< VPD 0x8F lists POPULATE TOKEN and WRITE USING TOKEN
  std::uint32_t block_bytes = 512;          ///< logical block size, bytes
  std::uint64_t xcopy_max_op_bytes = 0;     ///< bytes one EXTENDED COPY may carry
  std::uint64_t odx_max_op_bytes = 0;       ///< bytes one ROD token may stand for
  std::uint32_t segment_blocks = 0;         ///< blocks per segment descriptor
  std::map<std::string, scsi::Designator> designators;  ///< per LUN name, from VPD 0x83
  std::uint8_t next_lid1 = 0;               ///< next EXTENDED COPY list identifier
  std::uint32_t next_list_id = 0;           ///< next token command list identifier
};

/// A simulated source LUN / destination LUN pair.
class ScsiLunTarget final : public CopyTarget, public FaultCounted {
 public:
  /// `source_lun` / `destination_lun` name the LUNs ("lun1"); `session` is
  /// shared by the initiator's targets on the source array.
  ScsiLunTarget(sg4::Host* initiator, CpuModel& initiator_cpu, ScsiArray& source, ScsiArray& destination,
                std::string source_lun, std::string destination_lun, ScsiSession& session, TargetInfo info);
  const TargetInfo& info() const override { return info_; }
  OpResult map_data(ByteRange range) override;
  OpResult read(const Op& op) override;
  OpResult write(const Op& op) override;
  OpResult xcopy(const Op& op) override;
  OpResult odx(const Op& op) override;
  OpResult zero_range(const Op& op) override;
  OpResult finish() override;
  OpResult abort() override { return {}; }

 private:
  void discover();
  const scsi::Designator& designator_of(const std::string& lun);
  ScsiReply send(const scsi::Bytes& cdb, const scsi::Bytes& parameters = {});
  ScsiReply send_to(const std::string& lun, const scsi::Bytes& cdb, const scsi::Bytes& parameters = {});
  OpResult failure(const char* command, const ScsiReply& reply);
  OpResult poll_token_copy(std::uint32_t list_id, std::uint64_t blocks);
  sg4::Host* initiator_;
  CpuModel& cpu_;
  ScsiArray& source_;
  ScsiArray& destination_;
  std::string source_lun_;
  std::string destination_lun_;
  ScsiSession& session_;
  TargetInfo info_;
};

}  // namespace offload::models
