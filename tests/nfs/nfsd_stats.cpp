#include "tests/nfs/nfsd_stats.hpp"

#include <fstream>
#include <sstream>

namespace offload::testing {

std::uint64_t NfsdOpCounts::of(Nfs4Op op) const {
  auto index = static_cast<std::size_t>(op);
  return index < calls.size() ? calls[index] : 0;
}

// "proc4ops N c0 c1 ... c(N-1)": N counters, one per operation number.
std::optional<NfsdOpCounts> parse_nfsd_stats(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string name;
    std::size_t count = 0;
    if (!(fields >> name) || name != "proc4ops" || !(fields >> count)) continue;
    NfsdOpCounts counts;
    counts.calls.resize(count);
    for (auto& calls : counts.calls) {
      if (!(fields >> calls)) return std::nullopt;  // fewer counters than announced
    }
    return counts;
  }
  return std::nullopt;
}

std::optional<NfsdOpCounts> read_nfsd_stats() {
  std::ifstream in("/proc/net/rpc/nfsd");
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return parse_nfsd_stats(text.str());
}

}  // namespace offload::testing
