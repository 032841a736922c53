#include "cli/advise_round_trip.hpp"

#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <fmt/core.h>

namespace offload::cli {

RoundTrip summarise_round_trips(std::vector<double> samples_s, std::string how) {
  if (samples_s.empty()) throw std::invalid_argument("summarise_round_trips: no samples");
  RoundTrip trip;
  trip.samples_s = samples_s;
  std::sort(samples_s.begin(), samples_s.end());
  std::size_t n = samples_s.size();
  trip.median_s = n % 2 == 1 ? samples_s[n / 2] : (samples_s[n / 2 - 1] + samples_s[n / 2]) / 2;
  trip.min_s = samples_s.front();
  trip.max_s = samples_s.back();
  trip.how = std::move(how);
  return trip;
}

RoundTrip probe_round_trip(const std::string& directory) {
  auto failed = [&directory] {
    RoundTrip none;
    none.how = fmt::format("not measured: statfs(2) on {} failed: {}", directory, std::strerror(errno));
    return none;
  };
  struct statfs info {};
  if (statfs(directory.c_str(), &info) != 0) return failed();
  std::vector<double> samples;
  for (unsigned i = 0; i < kRoundTripSamples; ++i) {
    auto start = std::chrono::steady_clock::now();
    int rc = statfs(directory.c_str(), &info);
    auto end = std::chrono::steady_clock::now();
    if (rc != 0) return failed();
    samples.push_back(std::chrono::duration<double>(end - start).count());
  }
  return summarise_round_trips(std::move(samples), fmt::format("statfs(2) on {}, median of {} after one untimed "
                                                               "(each one request to the server)",
                                                               directory, kRoundTripSamples));
}

}  // namespace offload::cli
