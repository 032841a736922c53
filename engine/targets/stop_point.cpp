#include "engine/targets/stop_point.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace offload {
namespace {

struct StopRequest {
  std::string point;
  bool hold = false;   // wait for the cancel once continued
  bool done = false;   // each point stops the process once
};

// OFFLOAD_TEST_STOP_AT="NAME[,hold][;NAME[,hold]]..."
std::vector<StopRequest> read_requests() {
  std::vector<StopRequest> requests;
  const char* value = std::getenv("OFFLOAD_TEST_STOP_AT");
  std::string text = value != nullptr ? value : "";
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find(';', at);
    if (end == std::string::npos) end = text.size();
    StopRequest request{text.substr(at, end - at)};
    if (auto comma = request.point.find(','); comma != std::string::npos) {
      request.hold = request.point.substr(comma + 1) == "hold";
      request.point.resize(comma);
    }
    if (request.point == "after-first-write") request.point = "after-write-1";
    if (!request.point.empty()) requests.push_back(request);
    at = end + 1;
  }
  return requests;
}

std::vector<StopRequest>& requests() {
  static std::vector<StopRequest> all = read_requests();
  return all;
}

}  // namespace

void stop_point(const char* point, const std::atomic<bool>& cancelled) {
  if (requests().empty()) return;
  static std::mutex mutex;
  bool hold = false;
  {
    std::lock_guard lock(mutex);
    auto it = std::find_if(requests().begin(), requests().end(),
                           [&](const StopRequest& r) { return !r.done && r.point == point; });
    if (it == requests().end()) return;
    it->done = true;
    hold = it->hold;
  }
  std::raise(SIGSTOP);
  if (hold) cancelled.wait(false);
}

void stop_after_write(std::uint64_t count, const std::atomic<bool>& cancelled) {
  if (requests().empty()) return;
  stop_point(("after-write-" + std::to_string(count)).c_str(), cancelled);
}

}  // namespace offload
