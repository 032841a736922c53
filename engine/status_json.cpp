#include "engine/status_json.hpp"

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
                         {"first_offset", f.first_offset}, {"bytes", f.bytes}, {"ranges", f.ranges},
                         {"detail", f.detail}});
  }
  return fallbacks;
}

}  // namespace offload
