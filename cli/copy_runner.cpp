#include "cli/copy_runner.hpp"

#include "cli/stop_signals.hpp"
#include "cli/test_pause.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/address_router.hpp"

namespace offload::cli {

std::expected<CopyStatus, CopyError> run_copy(const CopyRequest& request, const RunOptions& options) {
  auto pause = TestPause::from_environment();  // declared first: outlives the runtime
  if (!pause) return std::unexpected(pause.error());
  StopSignals stop_signals;  // from before the submit: its first operations start at once
  RealRuntime runtime(options.engine.queue_depth);
  if (*pause) (*pause)->attach(runtime);
  AddressRouter targets(options.iscsi);  // files, LUNs (iSCSI, SG_IO devices) or NVMe namespaces
  Engine engine(runtime, targets, options.engine);
  auto cookie = engine.submit(request);
  if (!cookie) return std::unexpected(cookie.error());

  ProgressLine progress(options.show_progress);
  bool cancelled = false;
  CopyStatus status;
  for (;;) {
    status = *engine.wait(*cookie, 100'000'000);
    if (is_final(status.state)) break;
    if (stop_signal() != 0 && !cancelled) cancelled = engine.cancel(*cookie);
    progress.update(status, runtime.now_ns());
  }
  progress.finish(status, runtime.now_ns());
  return status;
}

double elapsed_seconds(const CopyStatus& status) {
  return static_cast<double>(status.finished_ns - status.submitted_ns) / 1e9;
}

}  // namespace offload::cli
