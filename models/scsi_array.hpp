// SCSI array model (FC or iSCSI front end, flash or disk back end, an
// internal copy engine), composed of SimGrid activities. What it models
// (SPC-4 / SBC-3; limits from shared/PROTOCOLS.md):
//  - READ / WRITE: the host-mediated path; the command crosses the front-end
//    link, the back end and the data transfer run at once, status returns.
//  - EXTENDED COPY (LID1, VMware VAAI "XCOPY"): one block-to-block segment
//    descriptor per command, at most max_segment bytes (LIO: 256 MB, so a
//    longer range comes back short and the initiator re-issues the rest);
//    the copy engine runs at most max_concurrent copies (LIO: 1), others
//    queue; the command completes when the data is copied (status GOOD).
//  - ODX token copy: POPULATE TOKEN builds a ROD token for at most
//    max_token bytes, RECEIVE ROD TOKEN INFORMATION returns it, WRITE USING
//    TOKEN starts the copy, and the initiator polls RRTI every
//    poll_interval (ddpt: 500 ms) until it completes. A token not used
//    within token_timeout expires.
// Data never crosses the front end for offloaded copies: only commands,
// parameter lists and status (command_size bytes each).
// Faults (sim/faults.hpp): expire_tokens() expires every token in use (from
// POPULATE TOKEN until its copy finished): its WRITE USING TOKEN, or the RRTI
// that reports it, fails (ILLEGAL REQUEST, INVALID TOKEN OPERATION: EINVAL,
// so the engine falls back for that range); fail_next_segment()
// makes the next segment fail with COPY ABORTED (EIO: the copy fails with
// the bytes done so far).
// Assumptions: all LUNs share one back end; no cache or thin provisioning.
#pragma once

#include <simgrid/s4u.hpp>

#include "models/actor_pool.hpp"
#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/network.hpp"

namespace offload::models {

/// Counts of SCSI commands, for results and tests.
struct ScsiCounters {
  double reads = 0;                ///< READ commands
  double writes = 0;               ///< WRITE commands
  double extended_copies = 0;      ///< EXTENDED COPY commands
  double populate_tokens = 0;      ///< POPULATE TOKEN commands
  double write_using_tokens = 0;   ///< WRITE USING TOKEN commands
  double rrti_polls = 0;           ///< RECEIVE ROD TOKEN INFORMATION commands
  double tokens_expired = 0;       ///< WRITE USING TOKEN refused: the token had expired
  double copies_aborted = 0;       ///< segments failed with COPY ABORTED
};

/// One simulated SCSI array.
class ScsiArray {
 public:
  ScsiArray(const sim::ScsiArraySpec& spec, sg4::Host* host, Network& network);
  /// READ of `bytes` to `initiator` (blocks the calling actor).
  void read(sg4::Host* initiator, double bytes);
  /// WRITE of `bytes` from `initiator`.
  void write(sg4::Host* initiator, double bytes);
  /// EXTENDED COPY of up to `bytes`; returns bytes copied (0 = unsupported, < 0 = -errno).
  double extended_copy(sg4::Host* initiator, double bytes);
  /// ODX token copy of up to `bytes`; returns bytes copied (0 = unsupported, < 0 = -errno).
  double token_copy(sg4::Host* initiator, double bytes);
  /// Expires every ROD token now.
  void expire_tokens();
  /// Fails the next EXTENDED COPY / WRITE USING TOKEN segment with COPY ABORTED sense.
  void fail_next_segment();
  /// A command with no data (TEST UNIT READY, SYNCHRONIZE CACHE...).
  void command(sg4::Host* initiator);

  /// The array's host.
  sg4::Host* host() const { return cpu_.host(); }
  /// Controller CPU.
  const CpuModel& cpu() const { return cpu_; }
  /// Back end.
  const DiskModel& disk() const { return disk_; }
  /// Command counts so far.
  const ScsiCounters& counters() const { return counters_; }
  /// Which copy offloads it implements.
  const sim::ScsiCopySpec& copy_spec() const { return spec_.copy; }

 private:
  void copy_in_back_end(double bytes);
  sim::ScsiArraySpec spec_;
  CpuModel cpu_;
  DiskModel disk_;
  Network& network_;
  ActorPool copiers_;  // run ODX copies after WRITE USING TOKEN
  sg4::SemaphorePtr copy_slots_;
  ScsiCounters counters_;
  double tokens_expired_at_ = -1;   // tokens made at or before this time are expired, seconds
  int segments_to_fail_ = 0;
};

}  // namespace offload::models
