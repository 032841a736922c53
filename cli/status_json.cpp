#include "cli/status_json.hpp"

#include "engine/status_json.hpp"

namespace offload::cli {

nlohmann::json status_to_json(const CopyStatus& status, const CopyRequest& request) {
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
      {"seconds", static_cast<double>(status.finished_ns - status.submitted_ns) / 1e9},
      {"cpu_seconds", static_cast<double>(status.cpu_ns) / 1e9},
      {"operations", status.operations},
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

}  // namespace offload::cli
