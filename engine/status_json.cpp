#include "engine/status_json.hpp"

#include <algorithm>
#include <cmath>

namespace offload {

nlohmann::json bytes_by_method_json(const CopyStatus& status) {
  nlohmann::json by_method = nlohmann::json::object();
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    by_method[std::string(method_name(static_cast<Method>(i)))] = status.bytes_by_method[i];
  }
  return by_method;
}

nlohmann::json fallbacks_json(const CopyStatus& status) {
  nlohmann::json fallbacks = nlohmann::json::array();
  for (const FallbackRecord& f : status.fallbacks) {
    fallbacks.push_back({{"from", method_name(f.from)}, {"to", method_name(f.to)}, {"errno", errno_name(f.errno_value)},
                         {"first_offset", f.first_offset}, {"bytes", f.bytes}, {"ranges", f.ranges}, {"detail", f.detail}});
  }
  return fallbacks;
}

nlohmann::json status_json(const CopyStatus& status, const CopyRequest& request, TimeNs now_ns) {
  const TimeNs end_ns = status.finished_ns != 0 ? status.finished_ns : std::max(now_ns, status.submitted_ns);
  nlohmann::json json{
      {"source", request.source},
      {"destination", request.destination},
      {"method_requested", method_choice_name(request.method)},
      {"atomic", request.atomic},
      {"state", state_name(status.state)},
      {"bytes_total", status.bytes_total},
      {"bytes_done", status.bytes_done},
      {"hole_bytes", status.hole_bytes},
      {"bytes_by_method", bytes_by_method_json(status)},
      {"methods_used", status.methods_used_text()},
      {"fallbacks", fallbacks_json(status)},
      {"host_bytes_not_moved", host_bytes_not_moved(status)},
      {"seconds", static_cast<double>(end_ns - status.submitted_ns) / 1e9},
      {"cpu_seconds", static_cast<double>(status.cpu_ns) / 1e9},
      {"operations", status.operations},
      {"fresh_buffer_bytes", status.fresh_buffer_bytes},
      {"source_fs", status.source_fs},
      {"destination_fs", status.destination_fs},
  };
  if (status.error) {
    json["destination_left"] = destination_left_name(status.destination_left);
    json["destination_left_bytes"] = status.destination_left_bytes;
    json["error"] = {{"errno", errno_name(status.error->errno_value)}, {"path", status.error->path},
                     {"message", status.error->message}};
  }
  return json;
}

nlohmann::json count_json(double count) {
  constexpr double kExact = 9007199254740992.0;  // 2^53: every whole double below it is exact
  if (count >= 0 && count <= kExact && std::floor(count) == count) return static_cast<std::uint64_t>(count);
  return count;
}

}  // namespace offload
