#include "cli/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {

std::string copy_summary_line(const CopyStatus& status) {
  double seconds = static_cast<double>(status.finished_ns - status.submitted_ns) / 1e9;
  return fmt::format("copied {} in {} ({}) via {} [{} -> {}], host CPU {}{}",
                     format_bytes(static_cast<double>(status.bytes_total)), format_duration(seconds),
                     format_copy_speed(seconds > 0 ? static_cast<double>(status.bytes_done) / seconds : 0, seconds),
                     status.methods_used_text(), status.source_fs, status.destination_fs,
                     format_duration(static_cast<double>(status.cpu_ns) / 1e9),
                     status.hole_bytes > 0
                         ? fmt::format(", {} left as holes", format_bytes(static_cast<double>(status.hole_bytes)))
                         : "");
}

std::string data_path_line(const CopyStatus& status) {
  auto bytes = [&](Method m) { return static_cast<double>(status.bytes_by_method[static_cast<std::size_t>(m)]); };
  // copy_file_range on NFS 4.2 is a server-side COPY (RFC 7862 section 15.2): those bytes stay on the server.
  bool server_side = status.source_fs == "nfs" && status.destination_fs == "nfs";
  double user_space = bytes(Method::host);
  double in_kernel = server_side ? 0 : bytes(Method::kernel_copy);
  double elsewhere = static_cast<double>(status.bytes_done) - user_space - in_kernel;
  return fmt::format("bytes through user space: {}; through host memory: {}{}; not through the host: {}{}; host CPU {}",
                     format_bytes(user_space), format_bytes(user_space + in_kernel),
                     in_kernel > 0 ? fmt::format(" ({} copied by the kernel)", format_bytes(in_kernel)) : "",
                     format_bytes(elsewhere),
                     elsewhere > 0 ? server_side ? " (the NFS server copied them)" : " (shared extents or the array copied them)" : "",
                     format_duration(static_cast<double>(status.cpu_ns) / 1e9));
}

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled), terminal_(isatty(STDERR_FILENO) != 0) {}

void ProgressLine::update(const CopyStatus& status, TimeNs now_ns) {
  if (!enabled_) return;
  const TimeNs interval_ns = terminal_ ? 100'000'000 : 1'000'000'000;
  if (drawn_ && now_ns - last_draw_ns_ < interval_ns) return;
  draw(status, now_ns);
}

void ProgressLine::draw(const CopyStatus& status, TimeNs now_ns) {
  last_draw_ns_ = now_ns;
  drawn_ = true;
  double total = static_cast<double>(std::max<std::uint64_t>(status.bytes_total, 1));
  double done = static_cast<double>(status.bytes_done + status.hole_bytes);
  double fraction = std::clamp(done / total, 0.0, 1.0);
  double seconds = static_cast<double>(now_ns - status.submitted_ns) / 1e9;
  std::string rate = seconds > 0 ? format_rate(static_cast<double>(status.bytes_done) / seconds) : "-";
  if (terminal_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r[%s] %3.0f%% %s / %s  %s  %s   ", bar.c_str(), fraction * 100,
                 format_bytes(done).c_str(), format_bytes(total).c_str(), rate.c_str(),
                 status.methods_used_text().c_str());
  } else {
    std::fprintf(stderr, "progress: %.0f%% %s of %s, %s, %s\n", fraction * 100, format_bytes(done).c_str(),
                 format_bytes(total).c_str(), rate.c_str(), status.methods_used_text().c_str());
  }
  std::fflush(stderr);
}

void ProgressLine::finish(const CopyStatus& status, TimeNs now_ns) {
  if (!enabled_) return;
  if (terminal_) {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
    return;
  }
  draw(status, now_ns);
}

}  // namespace offload::cli
