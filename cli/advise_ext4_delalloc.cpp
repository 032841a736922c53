#include "cli/advise_ext4_delalloc.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {
namespace {

// After this many crossings the copy is writing into a nearly full
// filesystem (each crossing halves the headroom); the rest is ENOSPC's business.
constexpr int kMaxCrossings = 64;

}  // namespace

Ext4SpaceState read_ext4_space(const std::string& directory, const std::string& sys_root) {
  struct statvfs fs {};
  if (statvfs(directory.c_str(), &fs) != 0) throw std::runtime_error(directory + ": statfs failed");
  struct stat st {};
  if (stat(directory.c_str(), &st) != 0) throw std::runtime_error(directory + ": stat failed");
  std::string device_link = fmt::format("{}/dev/block/{}:{}", sys_root, major(st.st_dev), minor(st.st_dev));
  std::error_code error;
  std::filesystem::path device = std::filesystem::read_symlink(device_link, error);
  if (error) throw std::runtime_error(device_link + ": cannot read the block device of " + directory);
  std::string counter = sys_root + "/fs/ext4/" + device.filename().string() + "/delayed_allocation_blocks";
  std::ifstream in(counter);
  double dirty_blocks = -1;
  if (!(in >> dirty_blocks) || dirty_blocks < 0) throw std::runtime_error(counter + ": cannot read a block count");
  Ext4SpaceState state;
  state.dirty_bytes = dirty_blocks * static_cast<double>(fs.f_bsize);
  state.free_bytes = static_cast<double>(fs.f_bfree) * static_cast<double>(fs.f_frsize) + state.dirty_bytes;
  state.how = fmt::format("{} free on disk, {} of it dirty (statfs, {})", format_bytes(state.free_bytes),
                          format_bytes(state.dirty_bytes), counter);
  return state;
}

double ext4_delalloc_wait_seconds(double size_bytes, const Ext4SpaceState& state, double writeback_Bps) {
  if (!(writeback_Bps > 0) || !(state.free_bytes > 0)) return 0;
  double free = state.free_bytes, dirty = state.dirty_bytes, left = size_bytes, wait = 0;
  for (int crossing = 0; crossing < kMaxCrossings; ++crossing) {
    double headroom = free / 2 - dirty;  // dirty bytes this copy adds before free < 2 x dirty
    if (left <= headroom) break;
    double written = free / 2;  // every dirty byte on the filesystem at the crossing
    wait += written / writeback_Bps;
    left -= std::max(headroom, 0.0);
    free -= written;
    dirty = 0;
  }
  return wait;
}

}  // namespace offload::cli
