#include "cli/page_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/core.h>

#include "cli/copy_trial.hpp"
#include "cli/file_check.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

double read_number(const std::string& path) {
  std::ifstream in(path);
  double value = 0;
  if (!(in >> value)) throw std::runtime_error(path + ": cannot read a number (needed for the dirty-page limits)");
  return value;
}

// "MemAvailable:   23388748 kB" -> bytes.
double meminfo_bytes(const std::string& text, const std::string& key, const std::string& path) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  throw std::runtime_error(path + ": no " + key + " line (needed for the dirty-page limits)");
}

bool sync_filesystem(const std::string& directory) {
  int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = syncfs(fd) == 0;
  close(fd);
  return ok;
}

}  // namespace

DirtyBudget dirty_budget(const DirtySettings& s) {
  DirtyBudget b;
  b.threshold_bytes = s.dirty_bytes > 0 ? s.dirty_bytes : s.dirty_ratio / 100 * s.available_bytes;
  b.background_bytes = s.background_bytes > 0 ? s.background_bytes : s.background_ratio / 100 * s.available_bytes;
  if (b.background_bytes >= b.threshold_bytes) b.background_bytes = b.threshold_bytes / 2;
  b.freerun_bytes = (b.threshold_bytes + b.background_bytes) / 2;
  b.budget_bytes = std::max(0.0, b.freerun_bytes - s.dirty_now_bytes);
  std::string threshold = s.dirty_bytes > 0 ? fmt::format("vm.dirty_bytes {}", format_bytes(s.dirty_bytes))
                                            : fmt::format("vm.dirty_ratio {:g} %", s.dirty_ratio);
  std::string background = s.background_bytes > 0
                               ? fmt::format("vm.dirty_background_bytes {}", format_bytes(s.background_bytes))
                               : fmt::format("vm.dirty_background_ratio {:g} %", s.background_ratio);
  b.how = fmt::format("{} and {} of MemAvailable {}: free-run up to {}, {} dirty now", threshold, background,
                      format_bytes(s.available_bytes), format_bytes(b.freerun_bytes), format_bytes(s.dirty_now_bytes));
  return b;
}

DirtySettings read_dirty_settings(const std::string& proc_root) {
  DirtySettings s;
  std::string vm = proc_root + "/sys/vm/";
  s.dirty_ratio = read_number(vm + "dirty_ratio");
  s.dirty_bytes = read_number(vm + "dirty_bytes");
  s.background_ratio = read_number(vm + "dirty_background_ratio");
  s.background_bytes = read_number(vm + "dirty_background_bytes");
  std::string path = proc_root + "/meminfo";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read (needed for the dirty-page limits)");
  std::stringstream text;
  text << in.rdbuf();
  s.available_bytes = meminfo_bytes(text.str(), "MemAvailable", path);
  s.dirty_now_bytes = meminfo_bytes(text.str(), "Dirty", path) + meminfo_bytes(text.str(), "Writeback", path);
  return s;
}

double throttled_seconds(double seconds, double size_bytes, double budget_bytes, double writeback_Bps) {
  double excess = size_bytes - budget_bytes;
  if (!(writeback_Bps > 0) || !(excess > 0) || !(seconds > 0) || !(size_bytes > 0)) return seconds;
  double free_rate = size_bytes / seconds;
  if (writeback_Bps >= free_rate) return seconds;
  return seconds - excess / free_rate + excess / writeback_Bps;
}

namespace {

// Writes the file's dirty pages back and waits for them, without a journal commit or a cache flush.
bool sync_file_pages(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                          SYNC_FILE_RANGE_WAIT_AFTER) == 0;
  close(fd);
  return ok;
}

}  // namespace

double measure_writeback_Bps(const std::string& directory, std::uint64_t size_bytes, unsigned repeat,
                             bool file_range_only) {
  std::string path = directory + "/offload-calibrate-writeback.bin";
  std::vector<double> rates;
  for (unsigned i = 0; i < repeat; ++i) {
    unlink(path.c_str());
    if (!sync_filesystem(directory) || !write_pattern_file(path, size_bytes, 11 + i)) break;
    auto start = std::chrono::steady_clock::now();
    bool synced = file_range_only ? sync_file_pages(path) : sync_filesystem(directory);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!synced || !(seconds > 0)) break;
    rates.push_back(static_cast<double>(size_bytes) / seconds);
  }
  unlink(path.c_str());
  return rates.size() == repeat ? median(rates) : 0;
}

}  // namespace offload::cli
