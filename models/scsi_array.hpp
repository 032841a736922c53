// SCSI array model (FC or iSCSI front end, flash or disk back end, an
// internal copy manager), composed of SimGrid activities. Every command
// arrives as real bytes (CDB + data-out, encoded by the engine's
// ScsiLunTarget through sim/targets/scsi_array_transport.hpp) and is decoded
// with engine/scsi/; the answers are encoded data-in or fixed-format sense,
// as a real array's (SPC-4 / SBC-3):
//  - READ(16) / WRITE(16): the host-mediated path; the command crosses the
//    front-end link, the back end and the data transfer run at once, status
//    returns. The data's size comes from the CDB; no bytes are carried.
//  - READ CAPACITY(16): kLunBytes in blocks of block_size (every LUN the same).
//  - INQUIRY: 3PC bit; VPD 0x00 (supported pages), 0x80 (unit serial),
//    0x83 (one NAA designator per LUN, which names the LUN in EXTENDED
//    COPY's 0xE4 descriptors), 0xB0 (Block Limits: no limits reported) and
//    0x8F (supported commands, ROD token limits, parameter data, general
//    copy operations). SYNCHRONIZE CACHE: GOOD (no cache modelled).
//  - EXTENDED COPY (LID1, VMware VAAI "XCOPY"): block-to-block segments of at
//    most max_segment bytes and 65,535 blocks, at most
//    max_segment_descriptors per command (LIO: 1); the copy manager runs at
//    most max_concurrent copies (LIO: 1), others queue; the command ends when
//    the data is copied. RECEIVE COPY RESULTS: operating parameters, copy
//    status and failed segment details of a held list identifier.
//  - ODX: POPULATE TOKEN builds a ROD token (at most max_token bytes) with an
//    inactivity timeout (token_timeout, or the initiator's); RECEIVE ROD
//    TOKEN INFORMATION returns it; WRITE USING TOKEN (IMMED) starts the copy
//    and RRTI reports progress, with an ESTIMATED STATUS UPDATE DELAY of
//    poll_interval. A token not used within its timeout is refused with
//    INVALID TOKEN OPERATION, TOKEN EXPIRED.
//  - Unsupported commands: INVALID COMMAND OPERATION CODE when the array
//    implements neither XCOPY nor ODX (opcodes 0x83/0x84 unknown), INVALID
//    FIELD IN CDB for a service action it lacks.
// Data never crosses the front end for offloaded copies: only commands,
// parameter lists, data-in and status (encoded bytes plus command_bytes of
// framing each way). Every command costs the controller per_op CPU.
// Copy limits default to Linux LIO's (drivers/target/target_core_xcopy.c:
// 1 segment descriptor, 256 MB maximum segment, 1 concurrent copy).
// Assumptions: all LUNs share one back end; no cache or thin provisioning;
// held results and unit attentions are kept per initiator host (one FC
// initiator port: one I_T nexus per array) and list identifier until read.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include <simgrid/s4u.hpp>

#include "engine/scsi/bytes.hpp"
#include "engine/scsi/cdb.hpp"
#include "engine/scsi/receive_copy_results.hpp"
#include "engine/scsi/rod_token.hpp"
#include "engine/scsi/sense.hpp"
#include "engine/scsi/status.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "models/actor_pool.hpp"
#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/network.hpp"

namespace offload::models {

/// Counts of SCSI commands and outcomes, for results and tests.
struct ScsiCounters {
  double reads = 0;                  ///< READ commands
  double writes = 0;                 ///< WRITE commands
  double inquiries = 0;              ///< INQUIRY commands (standard and VPD)
  double extended_copies = 0;        ///< EXTENDED COPY commands
  double receive_copy_results = 0;   ///< RECEIVE COPY RESULTS commands (any LID1 service action)
  double populate_tokens = 0;        ///< POPULATE TOKEN commands
  double write_using_tokens = 0;     ///< WRITE USING TOKEN commands
  double rrti_polls = 0;             ///< RECEIVE ROD TOKEN INFORMATION commands
  double check_conditions = 0;       ///< commands answered with CHECK CONDITION
  double tokens_expired = 0;         ///< WRITE USING TOKEN refused because the token expired
  double segments_failed = 0;        ///< copy segments ended with COPY ABORTED
  double unit_attentions = 0;        ///< commands answered UNIT ATTENTION (not run)
};

/// Capacity of every simulated LUN, bytes: 64 TiB, the largest VMFS
/// datastore (VMware vSphere configuration maximums). READ CAPACITY(16)
/// reports it; the initiator refuses a copy range past it.
inline constexpr std::uint64_t kLunBytes = std::uint64_t{64} << 40;

/// The array's answer to one command.
struct ScsiReply {
  std::uint8_t status = scsi::status::good;  ///< SCSI status (SAM-5)
  scsi::Bytes data;                      ///< data-in (INQUIRY, RECEIVE COPY RESULTS, RRTI), cut to the allocation length
  scsi::Bytes sense;                     ///< fixed-format sense data with CHECK CONDITION
};

/// One simulated SCSI array.
class ScsiArray {
 public:
  ScsiArray(const ScsiArraySpec& spec, sg4::Host* host, Network& network);
  /// Sends `cdb` and its data-out (a parameter list; empty for WRITE(16),
  /// whose size the CDB gives) from `initiator` to LUN `lun`, runs the
  /// command and returns the answer (blocks the calling actor, which runs on
  /// `initiator`).
  ScsiReply execute(sg4::Host* initiator, const std::string& lun, std::span<const std::uint8_t> cdb,
                    std::span<const std::uint8_t> parameters = {});

  /// Expires every ROD token now (fault injection).
  void expire_tokens();
  /// Fails the next EXTENDED COPY / WRITE USING TOKEN segment with COPY ABORTED sense (fault injection).
  void fail_next_segment();
  /// A reset (fault injection): each initiator's next command through
  /// execute() is not run and answers UNIT ATTENTION, POWER ON, RESET OR
  /// BUS DEVICE RESET OCCURRED (SAM-5: reported once per I_T nexus).
  void raise_unit_attention();

  /// The array's host.
  sg4::Host* host() const { return cpu_.host(); }
  /// Controller CPU.
  const CpuModel& cpu() const { return cpu_; }
  /// Back end.
  const DiskModel& disk() const { return disk_; }
  /// Command counts so far.
  const ScsiCounters& counters() const { return counters_; }
  /// Logical block size of its LUNs, bytes.
  std::uint32_t block_bytes() const { return static_cast<std::uint32_t>(spec_.block_bytes); }
  /// Most blocks one segment descriptor may carry here (MAXIMUM SEGMENT LENGTH and the 16-bit count).
  std::uint32_t max_segment_blocks() const;

 private:
  /// Results kept for RECEIVE COPY RESULTS / RRTI under one list identifier.
  struct Held {
    scsi::Lid1CopyStatus copy;             ///< EXTENDED COPY status
    scsi::FailedSegmentDetails failed;     ///< EXTENDED COPY failure, if any
    scsi::RodTokenInformation token_info;  ///< POPULATE TOKEN / WRITE USING TOKEN status
  };
  /// A ROD token the array handed out.
  struct Token {
    double bytes = 0;         ///< bytes it stands for
    double last_used_s = 0;   ///< simulated time of its creation or last use
    double timeout_s = 0;     ///< inactivity timeout, seconds
    bool expired = false;     ///< expired by expire_tokens()
  };
  using HeldKey = std::pair<sg4::Host*, std::uint32_t>;

  ScsiReply dispatch(sg4::Host* initiator, const std::string& lun, std::span<const std::uint8_t> cdb,
                     std::span<const std::uint8_t> parameters);
  bool unit_attention_pending(sg4::Host* initiator) const;
  ScsiReply block_io(sg4::Host* initiator, bool write, std::uint64_t lba, std::uint32_t blocks);
  ScsiReply read_capacity(std::span<const std::uint8_t> cdb) const;
  ScsiReply vpd_page(std::uint8_t page, const std::string& lun);
  void count(std::span<const std::uint8_t> cdb);
  ScsiReply inquiry(const scsi::Cdb& cdb, const std::string& lun);
  ScsiReply extended_copy(sg4::Host* initiator, std::span<const std::uint8_t> parameters);
  ScsiReply receive_copy_results(sg4::Host* initiator, const scsi::Cdb& cdb);
  ScsiReply populate_token(sg4::Host* initiator, const scsi::Cdb& cdb, std::span<const std::uint8_t> parameters);
  ScsiReply write_using_token(sg4::Host* initiator, const scsi::Cdb& cdb, std::span<const std::uint8_t> parameters);
  ScsiReply receive_rod_token_information(sg4::Host* initiator, const scsi::Cdb& cdb);
  ScsiReply check_condition(scsi::SenseKey key, scsi::AdditionalSense code, std::uint32_t command_specific = 0);
  bool take_segment_failure();
  scsi::Designator designator(const std::string& lun) const;
  scsi::Bytes third_party_copy_page() const;
  scsi::OperatingParameters operating_parameters() const;

  ScsiArraySpec spec_;
  CpuModel cpu_;
  DiskModel disk_;
  Network& network_;
  ActorPool copiers_;  // run token copies after WRITE USING TOKEN (IMMED)
  sg4::SemaphorePtr copy_slots_;
  ScsiCounters counters_;
  // Filled as VPD 0x83 is read; keyed by the designator's bytes as a string
  // (a vector<uint8_t> key trips GCC 12's -Wstringop-overread false positive).
  std::map<std::string, std::string> luns_by_designator_;
  std::map<HeldKey, std::shared_ptr<Held>> held_;
  std::map<std::uint64_t, Token> tokens_;
  std::uint64_t next_token_ = 1;
  bool fail_next_segment_ = false;
  std::uint64_t resets_ = 0;                           // raise_unit_attention() calls so far
  std::map<sg4::Host*, std::uint64_t> resets_seen_;   // per initiator: resets already reported
};

}  // namespace offload::models
