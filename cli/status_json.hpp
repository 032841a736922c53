// JSON form of a copy's request and final status (for --json and reports).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/types.hpp"

namespace offload::cli {

/// Request fields plus every status field, times in seconds.
nlohmann::json status_to_json(const CopyStatus& status, const CopyRequest& request);

}  // namespace offload::cli
