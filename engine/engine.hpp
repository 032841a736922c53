// The copy-offload engine: an asynchronous, cookie-based copier.
//
// submit() opens the endpoints through a TargetFactory (claiming the
// destination at once) and returns a Cookie; the copy then advances as its
// Runtime delivers operation completions. poll() reads a status snapshot,
// wait() blocks through the runtime, cancel() stops issuing and undoes the
// destination claim. The core (chunking, the fallback ladder of
// engine/ladder.hpp with per-range fallback: clone -> kernel-copy -> host
// between files, scsi-xcopy -> scsi-odx -> host between LUNs; queueing,
// progress, cancellation) neither blocks nor reads a clock: the same code
// runs on real files and LUNs and inside the SimGrid simulation. Issuing is
// in engine/engine.cpp, completions in engine/engine_completions.cpp.
#pragma once

#include <cstdint>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "engine/buffer_pool.hpp"
#include "engine/runtime.hpp"
#include "engine/target.hpp"
#include "engine/types.hpp"

namespace offload {

/// Tunables of one engine.
struct EngineConfig {
  std::uint32_t queue_depth = 8;                      ///< operations in flight, all copies
  std::uint32_t copy_depth = 2;                       ///< operations in flight per copy (0 = queue_depth)
  std::uint64_t host_chunk_bytes = 4ULL << 20;        ///< bytes per host read/write
  std::uint32_t host_buffers = 0;                     ///< host buffers; 0 = queue_depth
  std::uint64_t kernel_copy_chunk_bytes = 64ULL << 20;  ///< bytes per copy_file_range
  std::uint64_t clone_chunk_bytes = 1ULL << 30;       ///< bytes per clone call
  std::uint64_t device_chunk_bytes = 256ULL << 20;    ///< bytes per XCOPY / token copy / NVMe Copy operation
};

/// Asynchronous copy engine; thread-safe.
class Engine final : public CompletionSink {
 public:
  /// `runtime` and `targets` must outlive the engine.
  Engine(Runtime& runtime, TargetFactory& targets, EngineConfig config = {});
  /// Cancels what still runs and waits for its operations to end.
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Opens the endpoints and queues the copy; errors (missing source, taken
  /// destination, bad range) are returned at once and nothing is claimed.
  std::expected<Cookie, CopyError> submit(const CopyRequest& request);
  /// Status snapshot; nullopt for an unknown or released cookie.
  std::optional<CopyStatus> poll(Cookie cookie) const;
  /// Waits until the copy ends or `timeout_ns` passes on the runtime's clock
  /// (nullopt = no limit); returns the status then.
  std::optional<CopyStatus> wait(Cookie cookie, std::optional<TimeNs> timeout_ns = std::nullopt);
  /// Asks a copy to stop; false when it already ended or is unknown.
  bool cancel(Cookie cookie);
  /// Forgets an ended copy's status (bounded memory for long runs).
  bool release(Cookie cookie);
  /// Copies not yet ended.
  std::size_t active() const;
  /// Largest number of operations that were in flight at once.
  std::uint32_t peak_in_flight() const;
  /// Bytes of host buffer memory allocated so far.
  std::size_t buffer_bytes_allocated() const;

  /// Runtime callback (not for callers).
  void on_complete(std::uint64_t op_id, OpResult result) override;

 private:
  struct Piece {            // a contiguous part of the range still to copy
    std::uint64_t source_offset;
    std::uint64_t destination_offset;
    std::uint64_t length;
    std::uint8_t rung;      // index into the job's ladder
  };
  struct ParkedWrite {      // a host write waiting for its turn to grow the destination
    Op op;
    std::uint8_t rung;
    std::size_t buffer;
  };
  enum class Phase : std::uint8_t { need_map, mapping, copying, finishing, aborting, ended };
  struct Job {
    Cookie cookie;
    std::string source;
    std::string destination;
    std::unique_ptr<CopyTarget> target;
    std::vector<Method> ladder;
    std::vector<int> rung_disabled_by;  // errno that ruled a rung out (0 = usable)
    Phase phase = Phase::need_map;
    bool stopping = false;
    std::deque<Piece> pending;
    std::deque<ByteRange> zero_pending;  // destination ranges to zero
    std::uint32_t in_flight = 0;
    std::uint32_t reads_in_flight = 0;
    // Ordered growth (TargetInfo::destination_grows_in_order):
    std::uint32_t growing_in_flight = 0;      // operations in flight that end past the start size
    std::multiset<std::uint64_t> unwritten;   // destination offsets of growing reads not yet written
    std::deque<ParkedWrite> parked;           // their writes, by offset, waiting for their turn
    CopyStatus status;
  };
  struct InFlight {
    std::uint64_t job_id;
    Op op;
    Method method;
    std::uint8_t rung;
    std::optional<std::size_t> buffer;
    bool grows = false;      // ends past the destination's start size (ordered growth)
  };

  struct Issued {            // an operation issued under the lock, started after it
    std::uint64_t op_id;
    CopyTarget* target;
    Op op;
  };
  Cookie admit(const CopyRequest& request, std::unique_ptr<CopyTarget> target);
  void start_issued();
  void handle_completion(std::uint64_t op_id, OpResult& result);
  void pump();
  bool issue_next(Job& job);
  void issue(Job& job, const Op& op, Method method, std::uint8_t rung,
             std::optional<std::size_t> buffer = std::nullopt);
  void fail_source_ended(Job& job, std::uint64_t offset);
  bool grows(const Job& job, const Op& op) const;
  bool growth_turn(const Job& job, std::uint64_t destination_offset) const;
  bool issue_parked(Job& job);
  void park(Job& job, const Op& write, std::uint8_t rung, std::size_t buffer);
  std::uint64_t chunk_bytes(Method method) const;
  std::optional<std::uint8_t> next_rung(const Job& job, std::uint8_t rung) const;
  void record_fallback(Job& job, const Piece& piece, std::uint8_t to_rung, int errno_value,
                       const std::string& detail = {});
  void fail(Job& job, CopyError error);
  void end(Job& job, CopyState state);
  void on_mapped(Job& job, const InFlight& flight, OpResult& result);
  void on_offloaded(Job& job, const InFlight& flight, const OpResult& result);
  void on_read(Job& job, const InFlight& flight, const OpResult& result);
  void on_written(Job& job, const InFlight& flight, const OpResult& result);
  void credit(Job& job, Method method, std::uint64_t bytes);

  Runtime& runtime_;
  TargetFactory& targets_;
  EngineConfig config_;
  mutable std::mutex mutex_;
  BufferPool buffers_;
  std::map<std::uint64_t, Job> jobs_;
  std::unordered_map<std::uint64_t, InFlight> in_flight_;
  std::vector<Issued> issued_;
  std::uint64_t next_job_id_ = 1;
  std::uint64_t next_op_id_ = 1;
  std::uint64_t round_robin_after_ = 0;
  std::uint32_t in_flight_count_ = 0;
  std::uint32_t host_reads_in_flight_ = 0;
  std::uint32_t peak_in_flight_ = 0;
  std::uint32_t completions_running_ = 0;  // on_complete calls not yet returned (the destructor waits)
};

}  // namespace offload
