// Value types of the copy-offload engine: requests, methods, status, errors.
// No I/O and no SimGrid here; these are shared by the engine, its targets,
// its runtimes and every front end (CLI, simulator, Python).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace offload {

/// Monotonic time in nanoseconds, as reported by the engine's runtime.
using TimeNs = std::int64_t;

/// How the bytes of a range are moved.
/// Ladder order: the cheapest for the host first.
enum class Method : std::uint8_t {
  clone,        ///< reflink (FICLONERANGE, NFS CLONE): shares extents, moves no data
  scsi_xcopy,   ///< SCSI EXTENDED COPY (LID1): the array copies between LBAs
  scsi_odx,     ///< SCSI token copy (POPULATE TOKEN / WRITE USING TOKEN)
  nvme_copy,    ///< NVMe Copy (NVM Command Set opcode 0x19): the controller copies LBAs within a namespace
  kernel_copy,  ///< copy_file_range(2): in-kernel or server-side (NFS COPY) copy
  host,         ///< read into host memory, write out (the baseline)
};

/// Number of concrete methods (size of per-method arrays).
inline constexpr std::size_t kMethodCount = 6;

/// Device offloads: in the automatic ladder only where the target offers them.
bool is_device_method(Method method);

/// What the caller asks for: one pinned method or the ladder.
enum class MethodChoice : std::uint8_t { automatic, clone, scsi_xcopy, scsi_odx, nvme_copy, kernel_copy, host };

/// Stable name of a method ("clone", "scsi-xcopy", "scsi-odx", "nvme-copy", "kernel-copy", "host").
std::string_view method_name(Method method);
/// Stable name of a choice ("auto", or a method's name).
std::string_view method_choice_name(MethodChoice choice);
/// Parses "auto" or a method's name; nullopt otherwise.
std::optional<MethodChoice> parse_method_choice(std::string_view text);
/// Every name parse_method_choice accepts: "auto", then the methods in
/// ladder order. The one list for help texts, option checks and messages.
std::vector<std::string> method_choice_names();
/// The same names joined: "auto, clone, scsi-xcopy, scsi-odx, nvme-copy,
/// kernel-copy, host".
std::string method_choice_list();
/// The names of method_choice_names() that apply to files (no SCSI or NVMe device
/// method): "auto", "clone", "kernel-copy", "host".
std::vector<std::string> file_method_choice_names();

/// A byte range [offset, offset + length).
struct ByteRange {
  std::uint64_t offset = 0;  ///< first byte
  std::uint64_t length = 0;  ///< bytes
  /// One past the last byte.
  [[nodiscard]] std::uint64_t end() const { return offset + length; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

/// True when the two ranges share at least one byte.
bool ranges_overlap(const ByteRange& a, const ByteRange& b);

/// One copy asked of the engine.
struct CopyRequest {
  std::string source;                     ///< source path or target address
  std::string destination;                ///< destination path or address
  std::uint64_t source_offset = 0;        ///< first source byte to copy
  std::uint64_t destination_offset = 0;   ///< where that byte lands
  std::optional<std::uint64_t> length;    ///< bytes; nullopt = to source EOF
  MethodChoice method = MethodChoice::automatic;  ///< pinned method or ladder
  bool overwrite = false;  ///< allow replacing/writing an existing destination
  bool atomic = false;     ///< stage unnamed, publish only on success
};

/// Life of a copy, like a SimGrid activity: queued -> running -> an end.
enum class CopyState : std::uint8_t { queued, running, done, failed, cancelled };

/// Stable name of a state.
std::string_view state_name(CopyState state);
/// True for done, failed and cancelled.
bool is_final(CopyState state);

/// An error with its errno, the path it concerns and a readable cause.
struct CopyError {
  int errno_value = 0;   ///< POSIX errno (0 = none)
  std::string path;      ///< file or address the error is about
  std::string message;   ///< what went wrong, without the path
  /// "PATH: MESSAGE (ENAME)" in one line.
  [[nodiscard]] std::string describe() const;
};

/// Symbolic errno name, e.g. "EXDEV" (or "errno N").
std::string errno_name(int errno_value);

/// A fallback the ladder took: `from` failed with `errno_value` and the
/// bytes went through `to` instead. Adjacent events with equal keys merge.
struct FallbackRecord {
  Method from = Method::clone;      ///< method that could not do the range
  Method to = Method::host;         ///< method that took the range over
  int errno_value = 0;              ///< why `from` failed
  std::uint64_t first_offset = 0;   ///< source offset of the first such range
  std::uint64_t bytes = 0;          ///< bytes handed over (all such ranges)
  std::uint32_t ranges = 0;         ///< how many ranges fell back
  std::string detail;               ///< the target's reason, e.g. the device's sense (may be empty)
};

/// What a copy that did not finish left under its destination name, as
/// its target reported after undoing its claim.
enum class DestinationLeft : std::uint8_t {
  unknown,     ///< not reported: the copy succeeded or still runs, or the target cannot tell
  absent,      ///< nothing: the name was free before the copy and is free again
  unchanged,   ///< the previous file, untouched (an atomic copy, or a refusal before any write)
  prefix,      ///< the first `destination_left_bytes` bytes of the copy; the previous content is gone
  range_partly_written,  ///< an in-place range copy: the range was partly written, the rest unchanged
  foreign,     ///< another writer changed the file during the copy: left as it is, not removed
};

/// Stable name of a DestinationLeft ("absent", "unchanged", "prefix", ...).
std::string_view destination_left_name(DestinationLeft left);

/// Snapshot of one copy, as returned by poll and wait.
struct CopyStatus {
  CopyState state = CopyState::queued;        ///< where the copy is in its life
  std::uint64_t bytes_total = 0;              ///< bytes of the range (holes included)
  std::uint64_t bytes_done = 0;               ///< bytes written or shared so far
  std::uint64_t hole_bytes = 0;               ///< bytes left as holes (not moved)
  std::array<std::uint64_t, kMethodCount> bytes_by_method{};  ///< per Method
  std::vector<FallbackRecord> fallbacks;      ///< every fallback taken
  std::optional<CopyError> error;             ///< set when failed or cancelled
  TimeNs submitted_ns = 0;                    ///< runtime time of submit
  TimeNs finished_ns = 0;                     ///< runtime time of the end (0 = not yet)
  std::int64_t cpu_ns = 0;                    ///< host CPU time the copy's operations used
  std::uint64_t operations = 0;               ///< target operations completed
  std::uint64_t fresh_buffer_bytes = 0;       ///< host buffer bytes this copy's reads touched first (page faults paid)
  std::string source_fs;                      ///< filesystem/target kind of the source
  std::string destination_fs;                 ///< filesystem/target kind of the destination
  DestinationLeft destination_left = DestinationLeft::unknown;  ///< what a failed or cancelled copy left
  std::uint64_t destination_left_bytes = 0;   ///< size of what was left under the name (bytes)

  /// Methods that moved at least one byte, in ladder order.
  [[nodiscard]] std::vector<Method> methods_used() const;
  /// "clone", "clone+host", ... or "none".
  [[nodiscard]] std::string methods_used_text() const;
};

/// Bytes a device or filesystem moved without them passing through host
/// memory (clone, scsi-xcopy, scsi-odx, nvme-copy, kernel-copy): a host copy would have
/// read and written each of them.
std::uint64_t host_bytes_not_moved(const CopyStatus& status);

/// Handle of a submitted copy; valid until the engine is destroyed.
struct Cookie {
  std::uint64_t id = 0;  ///< 1-based, unique within one engine
  friend bool operator==(const Cookie&, const Cookie&) = default;
};

}  // namespace offload
