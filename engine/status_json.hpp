// The one JSON form of a copy's status, shared by `offload cp --json`, the
// compare report, the Python bindings (offloadsim.Engine.poll/wait) and the
// simulator's results: one writer, one set of keys everywhere.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/types.hpp"

namespace offload {

/// {"clone": bytes, "scsi-xcopy": bytes, ...} for every method.
nlohmann::json bytes_by_method_json(const CopyStatus& status);

/// [{from, to, errno (its name, e.g. "EXDEV"), first_offset, bytes, ranges, detail}, ...]
/// for every fallback taken.
nlohmann::json fallbacks_json(const CopyStatus& status);

/// The request's fields plus every status field; times in seconds. A copy
/// still running (finished_ns == 0) is timed up to `now_ns` (runtime clock,
/// ns). "error" ({errno name, path, message}), "destination_left" and
/// "destination_left_bytes" are present only when the copy failed.
nlohmann::json status_json(const CopyStatus& status, const CopyRequest& request, TimeNs now_ns = 0);

/// A count the simulator keeps in a double (bytes, operations) as a JSON
/// integer when it is whole (exact up to 2^53); otherwise the double as is.
nlohmann::json count_json(double count);

}  // namespace offload
