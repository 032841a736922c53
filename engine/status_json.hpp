// JSON pieces of a copy's status, shared by `offload cp --json`, the
// compare report and the simulator's results (one format everywhere).
#pragma once

#include <nlohmann/json.hpp>

#include "engine/types.hpp"

namespace offload {

/// {"clone": bytes, "scsi-xcopy": bytes, ...} for every method.
nlohmann::json bytes_by_method_json(const CopyStatus& status);

/// [{from, to, errno, first_offset, bytes, ranges}, ...] for every fallback taken.
nlohmann::json fallbacks_json(const CopyStatus& status);

}  // namespace offload
