#include "cli/cifs_stats.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

namespace offload::cli {
namespace {

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::uint64_t CifsShareCounters::of(const std::string& label) const {
  auto found = requests.find(label);
  return found == requests.end() ? 0 : found->second;
}

std::uint64_t CifsShareCounters::failed_of(const std::string& label) const {
  auto found = failed.find(label);
  return found == failed.end() ? 0 : found->second;
}

CifsShareCounters CifsShareCounters::since(const CifsShareCounters& before) const {
  CifsShareCounters delta = *this;
  for (auto& [label, count] : delta.requests) count -= before.of(label);
  for (auto& [label, count] : delta.failed) count -= before.failed_of(label);
  delta.bytes_read -= before.bytes_read;
  delta.bytes_written -= before.bytes_written;
  return delta;
}

std::optional<CifsShareCounters> parse_cifs_stats(const std::string& text, const std::string& share) {
  // A share's block starts "N) \\server\share" and runs to the next such line.
  static const std::regex header(R"(^\d+\) \\\\[^\\]+\\(\S+)\s*$)");
  static const std::regex request(R"(^(\w+): (\d+) (total|sent) (\d+) failed)");
  static const std::regex bytes(R"(^Bytes read: (\d+)\s+Bytes written: (\d+))");
  std::istringstream lines(text);
  std::string line;
  std::optional<CifsShareCounters> found;
  bool inside = false;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, match, header)) {
      if (found) break;  // the wanted block ended
      inside = lower(match[1].str()) == lower(share);
      if (inside) found.emplace();
      continue;
    }
    if (!inside) continue;
    if (std::regex_search(line, match, request)) {
      found->requests[match[1].str()] = std::stoull(match[2].str());
      found->failed[match[1].str()] = std::stoull(match[4].str());
    } else if (std::regex_search(line, match, bytes)) {
      found->bytes_read = std::stoull(match[1].str());
      found->bytes_written = std::stoull(match[2].str());
    }
  }
  return found;
}

std::optional<CifsShareCounters> read_cifs_stats(const std::string& share) {
  std::ifstream file("/proc/fs/cifs/Stats");
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return parse_cifs_stats(text.str(), share);
}

std::optional<std::uint64_t> read_counter_sum(const std::string& files) {
  std::istringstream names(files);
  std::string name;
  std::uint64_t sum = 0;
  bool any = false;
  while (names >> name) {
    std::ifstream file(name);
    std::uint64_t value = 0;
    if (!(file >> value)) return std::nullopt;
    sum += value;
    any = true;
  }
  return any ? std::optional(sum) : std::nullopt;
}

}  // namespace offload::cli
