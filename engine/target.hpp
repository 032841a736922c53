// The target ops table: what a copy endpoint pair can do, one small set of
// hooks in the spirit of fio's ioengines. The engine core never calls these
// hooks itself; it describes an Op and hands it to its Runtime, which runs
// the hook where blocking is allowed (a worker thread for real files, a
// SimGrid actor for simulated devices, an event queue for the fake clock).
#pragma once

#include <cerrno>
#include <cstddef>
#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/types.hpp"

namespace offload {

/// Kinds of target operation the engine issues.
enum class OpKind : std::uint8_t {
  map_data,    ///< list the source's data extents in a range (holes skipped)
  read,        ///< source -> host buffer
  write,       ///< host buffer -> destination
  clone,       ///< share source extents into the destination (reflink)
  copy_range,  ///< in-kernel / offloaded copy (copy_file_range)
  xcopy,       ///< SCSI EXTENDED COPY of a range
  odx,         ///< SCSI token copy of a range
  nvme_copy,   ///< NVMe Copy of a range within one namespace
  zero_range,  ///< make a destination range read as zeros (punch a hole)
  finish,      ///< check the source did not change, publish the destination
  abort,       ///< undo the destination claim after a failure or cancel
};

/// The clock of the runtime that runs an operation. A hook that must wait
/// inside its operation (the delay between two status polls) waits here:
/// under RealRuntime its worker thread sleeps, under SimRuntime its actor
/// sleeps on the simulated clock, under a test's fake clock time moves on.
class OperationClock {
 public:
  virtual ~OperationClock() = default;
  /// Returns once `duration_ns` nanoseconds of this runtime's time passed.
  virtual void pause_operation(TimeNs duration_ns) = 0;
};

/// One operation, described as data so any runtime can carry it out.
struct Op {
  OpKind kind = OpKind::read;         ///< what to do
  std::uint64_t source_offset = 0;    ///< bytes into the source
  std::uint64_t destination_offset = 0;  ///< bytes into the destination
  std::uint64_t length = 0;           ///< bytes
  std::span<std::byte> buffer;        ///< host memory for read/write (not owned)
  std::uint64_t fresh_buffer_bytes = 0;  ///< read: bytes of a host buffer no operation touched before (page faults it pays)
  OperationClock* clock = nullptr;    ///< set by the runtime that runs the op (never null in a hook)
};

/// Outcome of one operation.
struct OpResult {
  std::int64_t value = 0;            ///< bytes done (>= 0) or -errno
  std::vector<ByteRange> extents;    ///< map_data: source data extents
  std::int64_t cpu_ns = 0;           ///< host CPU time spent (set by the runtime)
  std::string detail;                ///< extra words for an error, may be empty
  DestinationLeft left = DestinationLeft::unknown;  ///< abort: what stays under the destination name
  /// True when value holds -errno.
  [[nodiscard]] bool failed() const { return value < 0; }
  /// The errno of a failed result (0 when it succeeded).
  [[nodiscard]] int error() const { return value < 0 ? static_cast<int>(-value) : 0; }
};

/// What a target learned when it opened the endpoints.
struct TargetInfo {
  std::uint64_t source_size = 0;     ///< source bytes at open
  ByteRange source_range;            ///< resolved source range to copy
  std::uint64_t destination_offset = 0;  ///< where the range lands
  bool destination_needs_zeroing = false;  ///< holes must be zeroed in an existing file
  /// The destination is visible while written and is not sized up front: an
  /// operation that ends past `destination_size_bytes` is issued only once
  /// every lower destination byte is written, so a kill at any moment leaves
  /// a file no longer than the data written into it (the target sets the
  /// final size when it finishes).
  bool destination_grows_in_order = false;
  std::uint64_t destination_size_bytes = 0;  ///< destination size when the copy starts (bytes)
  std::string source_fs;             ///< e.g. "xfs", "btrfs", "ext4", "nfs", "fake"
  std::string destination_fs;        ///< same for the destination
  bool needs_host_memory = true;     ///< false: host reads/writes get no buffer (simulated data)
  std::vector<Method> device_methods;  ///< device offloads offered (scsi-xcopy, scsi-odx, nvme-copy)
  bool file_methods = true;          ///< clone and kernel-copy can apply (false for raw LUNs)
  std::array<std::uint64_t, kMethodCount> max_op_bytes{};  ///< per Method: device limit per call (0 = none)
};

/// A source/destination pair opened for one copy. The hooks block in the
/// runtime's context and return bytes or -errno; they never throw.
class CopyTarget {
 public:
  virtual ~CopyTarget() = default;
  /// What was found at open.
  [[nodiscard]] virtual const TargetInfo& info() const = 0;
  /// Source data extents within `range` (whole range when holes are unknown).
  virtual OpResult map_data(ByteRange range) = 0;
  /// Reads up to op.length bytes at op.source_offset into op.buffer.
  virtual OpResult read(const Op& op) = 0;
  /// Writes op.length bytes of op.buffer at op.destination_offset.
  virtual OpResult write(const Op& op) = 0;
  /// Reflinks the range; -EOPNOTSUPP where the target cannot.
  virtual OpResult clone(const Op& op) { (void)op; return {.value = -EOPNOTSUPP}; }
  /// Offloaded copy of up to op.length bytes; -EOPNOTSUPP where it cannot.
  virtual OpResult copy_range(const Op& op) { (void)op; return {.value = -EOPNOTSUPP}; }
  /// SCSI EXTENDED COPY of up to op.length bytes; -EOPNOTSUPP where it cannot.
  virtual OpResult xcopy(const Op& op) { (void)op; return {.value = -EOPNOTSUPP}; }
  /// SCSI token copy of up to op.length bytes; -EOPNOTSUPP where it cannot.
  virtual OpResult odx(const Op& op) { (void)op; return {.value = -EOPNOTSUPP}; }
  /// NVMe Copy of up to op.length bytes; -EOPNOTSUPP where it cannot.
  virtual OpResult nvme_copy(const Op& op) { (void)op; return {.value = -EOPNOTSUPP}; }
  /// Makes the destination range read as zeros.
  virtual OpResult zero_range(const Op& op) = 0;
  /// Verifies the source is unchanged and publishes the destination.
  virtual OpResult finish() = 0;
  /// Removes what the copy claimed or staged (never a file it did not
  /// create) and says in OpResult::left what stays under the name.
  virtual OpResult abort() = 0;

  /// Asks operations in flight to end early (NFS OFFLOAD_CANCEL, SCSI COPY
  /// OPERATION ABORT); they then return a short count or -ECANCELED. Called
  /// once, under the engine's lock, when the copy is cancelled: must neither
  /// block nor wait on a simulation. Default: in-flight operations run out.
  virtual void interrupt() {}

  /// Runs `op` through the hook for its kind.
  OpResult execute(const Op& op);
};

/// Opens endpoint pairs for requests: the engine's only way to reach storage.
class TargetFactory {
 public:
  virtual ~TargetFactory() = default;
  /// Validates the request and claims the destination; runs synchronously in
  /// submit so a bad source or a taken name fails at once.
  virtual std::expected<std::unique_ptr<CopyTarget>, CopyError> open(
      const CopyRequest& request) = 0;
};

}  // namespace offload
