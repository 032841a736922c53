// Runs one copy to its end on real files, with progress and Ctrl-C as
// cancel; shared by `offload cp` and `offload compare`.
#pragma once

#include <expected>

#include "cli/progress.hpp"
#include "cli/stop_signals.hpp"
#include "engine/engine.hpp"
#include "engine/targets/iscsi_session.hpp"
#include "engine/types.hpp"

namespace offload::cli {

/// Engine settings a command line may change.
struct RunOptions {
  EngineConfig engine;        ///< queue depth, chunk sizes
  bool show_progress = false; ///< draw progress on stderr
  IscsiTimeouts iscsi;        ///< time limits of iSCSI sessions
};

/// Submits `request` to a fresh real-file engine and waits for its end;
/// SIGINT, SIGTERM, SIGHUP and SIGPIPE cancel it (cli/stop_signals.hpp;
/// stop_signal() says which). The error is the submit error, if any.
std::expected<CopyStatus, CopyError> run_copy(const CopyRequest& request, const RunOptions& options);

/// Seconds between submit and end of a finished copy.
double elapsed_seconds(const CopyStatus& status);

}  // namespace offload::cli
