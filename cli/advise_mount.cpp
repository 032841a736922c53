#include "cli/advise_mount.hpp"

#include <sys/sysmacros.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace offload::cli {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      int value = 0;
      bool octal = true;
      for (std::size_t k = 1; k <= 3; ++k) {
        char c = text[i + k];
        octal &= c >= '0' && c <= '7';
        value = value * 8 + (c - '0');
      }
      if (octal) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

bool is_under(const std::string& path, const std::string& mount_point) {
  if (mount_point == "/") return true;
  return path.compare(0, mount_point.size(), mount_point) == 0 &&
         (path.size() == mount_point.size() || path[mount_point.size()] == '/');
}

}  // namespace

std::string MountEntry::option(const std::string& key) const {
  std::stringstream list(options);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.compare(0, key.size() + 1, key + "=") == 0) return item.substr(key.size() + 1);
  }
  return "";
}

namespace {

// The entry whose mount point is the longest prefix of `path`, among those of device "MAJ:MIN" `wanted` ("" = any).
std::optional<MountEntry> longest_prefix_mount(const std::string& mountinfo_text, const std::string& wanted,
                                               const std::string& path) {
  std::istringstream lines(mountinfo_text);
  std::string line;
  std::optional<MountEntry> best;
  while (std::getline(lines, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string word; words >> word;) fields.push_back(word);
    std::size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash + 2 >= fields.size()) continue;  // no type and source after the separator
    if (!wanted.empty() && fields[2] != wanted) continue;
    MountEntry entry{unescape(fields[4]), fields[dash + 1], unescape(fields[dash + 2]),
                     fields[5] + (dash + 3 < fields.size() ? "," + fields[dash + 3] : "")};
    if (!is_under(path, entry.mount_point)) continue;
    if (!best || entry.mount_point.size() >= best->mount_point.size()) best = entry;
  }
  return best;
}

}  // namespace

std::optional<MountEntry> find_mount(const std::string& mountinfo_text, unsigned long device, const std::string& path) {
  return longest_prefix_mount(mountinfo_text, std::to_string(major(device)) + ":" + std::to_string(minor(device)), path);
}

std::optional<MountEntry> find_mount_by_path(const std::string& mountinfo_text, const std::string& path) {
  return longest_prefix_mount(mountinfo_text, "", path);
}

namespace {

std::string read_proc_file(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string read_mountinfo() { return read_proc_file("/proc/self/mountinfo"); }

}  // namespace offload::cli

namespace offload::cli {

std::optional<unsigned long> nfs_op_count(const std::string& mountstats_text, const std::string& mount_point,
                                          const std::string& op) {
  std::istringstream in(mountstats_text);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.compare(0, 7, "device ") == 0) {  // "device SRC mounted on DIR with fstype nfs4 statvers=1.1"
      auto on = line.find(" mounted on ");
      auto with = line.find(" with fstype ");
      inside = on != std::string::npos && with != std::string::npos &&
               unescape(line.substr(on + 12, with - on - 12)) == mount_point;
      continue;
    }
    std::istringstream words(line);
    std::string name;
    unsigned long count = 0;
    if (inside && words >> name && name == op + ":" && words >> count) return count;
  }
  return std::nullopt;
}

std::string read_mountstats() { return read_proc_file("/proc/self/mountstats"); }

}  // namespace offload::cli
