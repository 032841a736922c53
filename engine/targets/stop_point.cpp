#include "engine/targets/stop_point.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace offload {
namespace {

struct StopRequest {
  std::string point;  // empty: no stop asked for
  bool hold = false;
};

StopRequest read_request() {
  StopRequest request;
  const char* value = std::getenv("OFFLOAD_TEST_STOP_AT");
  if (value == nullptr) return request;
  request.point = value;
  if (auto comma = request.point.find(','); comma != std::string::npos) {
    request.hold = request.point.substr(comma + 1) == "hold";
    request.point.resize(comma);
  }
  return request;
}

}  // namespace

void stop_point(const char* point, const std::atomic<bool>& cancelled) {
  static const StopRequest request = read_request();
  static std::atomic<bool> stopped{false};
  if (request.point.empty() || request.point != point || stopped.exchange(true)) return;
  std::raise(SIGSTOP);
  if (request.hold) cancelled.wait(false);
}

}  // namespace offload
