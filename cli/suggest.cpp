#include "cli/suggest.hpp"

#include <algorithm>

namespace offload::cli {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // d[i][j]: edits between the first i characters of a and the first j of b.
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitute = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string suggestion(const std::string& typed, const std::vector<std::string>& names) {
  const std::string* nearest = nullptr;
  std::size_t best = 0;
  for (const std::string& name : names) {
    std::size_t distance = typed.size() >= 3 && name.starts_with(typed) ? 0 : edit_distance(typed, name);
    if (nearest == nullptr || distance < best) {
      nearest = &name;
      best = distance;
    }
  }
  if (nearest != nullptr && best <= 2 && best < typed.size()) return "did you mean '" + *nearest + "'?";
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
  return "commands: " + list;
}

}  // namespace offload::cli
