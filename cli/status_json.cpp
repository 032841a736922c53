#include "cli/status_json.hpp"

namespace offload::cli {

nlohmann::json status_to_json(const CopyStatus& status, const CopyRequest& request) {
  nlohmann::json by_method = nlohmann::json::object();
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    by_method[std::string(method_name(static_cast<Method>(i)))] = status.bytes_by_method[i];
  }
  nlohmann::json fallbacks = nlohmann::json::array();
  for (const FallbackRecord& f : status.fallbacks) {
    fallbacks.push_back({{"from", method_name(f.from)}, {"to", method_name(f.to)}, {"errno", errno_name(f.errno_value)},
                         {"first_offset", f.first_offset}, {"bytes", f.bytes}, {"ranges", f.ranges}});
  }
  nlohmann::json json{
      {"source", request.source},
      {"destination", request.destination},
      {"method_requested", method_choice_name(request.method)},
      {"atomic", request.atomic},
      {"state", state_name(status.state)},
      {"bytes_total", status.bytes_total},
      {"bytes_done", status.bytes_done},
      {"hole_bytes", status.hole_bytes},
      {"bytes_by_method", by_method},
      {"methods_used", status.methods_used_text()},
      {"fallbacks", fallbacks},
      {"seconds", static_cast<double>(status.finished_ns - status.submitted_ns) / 1e9},
      {"cpu_seconds", static_cast<double>(status.cpu_ns) / 1e9},
      {"operations", status.operations},
      {"source_fs", status.source_fs},
      {"destination_fs", status.destination_fs},
  };
  if (status.error) {
    json["error"] = {{"errno", errno_name(status.error->errno_value)}, {"path", status.error->path},
                     {"message", status.error->message}};
  }
  return json;
}

}  // namespace offload::cli
