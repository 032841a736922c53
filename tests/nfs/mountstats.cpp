#include "tests/nfs/mountstats.hpp"

#include <fstream>
#include <sstream>

namespace offload::testing {

NfsOpCounters NfsMountCounters::op(const std::string& name) const {
  auto found = ops.find(name);
  return found == ops.end() ? NfsOpCounters{} : found->second;
}

std::uint64_t NfsMountCounters::wire_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [name, counters] : ops) total += counters.wire_bytes();
  return total;
}

NfsMountCounters NfsMountCounters::since(const NfsMountCounters& before) const {
  NfsMountCounters delta;
  for (const auto& [name, now] : ops) {
    NfsOpCounters then = before.op(name);
    delta.ops[name] = {now.ops - then.ops, now.bytes_sent - then.bytes_sent, now.bytes_recv - then.bytes_recv};
  }
  return delta;
}

// A mount's block starts with "device SOURCE mounted on DIR with fstype nfs4 ...";
// its "per-op statistics" lines read "NAME: ops trans timeouts sent recv ...".
std::optional<NfsMountCounters> parse_mountstats(const std::string& text, const std::string& mount_point) {
  std::istringstream lines(text);
  std::string line;
  bool in_mount = false;
  bool in_ops = false;
  NfsMountCounters counters;
  while (std::getline(lines, line)) {
    if (line.starts_with("device ")) {
      if (in_mount) break;  // the next mount begins
      in_mount = line.find(" mounted on " + mount_point + " with fstype nfs") != std::string::npos;
      continue;
    }
    if (!in_mount) continue;
    if (line.find("per-op statistics") != std::string::npos) {
      in_ops = true;
      continue;
    }
    if (!in_ops) continue;
    std::istringstream fields(line);
    std::string name;
    NfsOpCounters op;
    std::uint64_t trans = 0, timeouts = 0;
    if (!(fields >> name >> op.ops >> trans >> timeouts >> op.bytes_sent >> op.bytes_recv) || !name.ends_with(":")) {
      continue;
    }
    name.pop_back();
    counters.ops[name] = op;
  }
  if (counters.ops.empty()) return std::nullopt;
  return counters;
}

std::optional<NfsMountCounters> read_mountstats(const std::string& mount_point) {
  std::ifstream in("/proc/self/mountstats");
  std::stringstream text;
  text << in.rdbuf();
  return parse_mountstats(text.str(), mount_point);
}

}  // namespace offload::testing
