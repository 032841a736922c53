// A one-line progress display for long copies: a bar on a terminal, a
// plain line every second elsewhere.
#pragma once

#include <cstdint>
#include <string>

#include "engine/types.hpp"

namespace offload::cli {

/// "copied SIZE in TIME (RATE) via METHODS [FS -> FS], host CPU TIME[, N left
/// as holes]" for a finished copy (RATE: "3.60 ms per copy" for a clone). RATE counts the data moved (bytes_done):
/// holes of a sparse source are skipped, not copied, so they are not in it.
std::string copy_summary_line(const CopyStatus& status);

/// Where a finished copy's bytes went: "bytes through user space: 0 B;
/// through host memory: 2.00 GiB (2.00 GiB copied by the kernel); not
/// through the host: 0 B; host CPU 412 ms". Host reads and writes pass user
/// space; copy_file_range copies in the kernel through host memory (on NFS
/// the server copies); clones and SCSI copies do not pass the host.
std::string data_path_line(const CopyStatus& status);

/// Draws progress of one copy to stderr.
class ProgressLine {
 public:
  /// `enabled` false makes every call a no-op.
  explicit ProgressLine(bool enabled);
  /// Redraws for `status` at runtime time `now_ns` (throttled).
  void update(const CopyStatus& status, TimeNs now_ns);
  /// Final state: a last line off a terminal; clears the bar on one.
  void finish(const CopyStatus& status, TimeNs now_ns);

 private:
  bool enabled_;
  bool terminal_;
  TimeNs last_draw_ns_ = 0;
  bool drawn_ = false;
  void draw(const CopyStatus& status, TimeNs now_ns);
};

}  // namespace offload::cli
