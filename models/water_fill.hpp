// Equal shares of progress among the chunks of a streamed stage in flight
// (processor sharing, as SimGrid shares a resource among equal activities):
// each gets an equal share of what moved, a chunk that needs less than its
// share is done and leaves the rest to the others (water-filling).
#pragma once

#include <algorithm>
#include <vector>

namespace offload::models {

/// Takes `amount` off the `need`s (bytes) of `needs` in equal shares, none
/// below zero; returns what no one needed. Reorders `needs`.
inline double water_fill(std::vector<double*>& needs, double amount) {
  std::sort(needs.begin(), needs.end(), [](const double* a, const double* b) { return *a < *b; });
  for (std::size_t i = 0; i < needs.size() && amount > 0; ++i) {
    double given = std::min(amount / static_cast<double>(needs.size() - i), *needs[i]);
    *needs[i] -= given;
    amount -= given;
  }
  return std::max(amount, 0.0);
}

}  // namespace offload::models
