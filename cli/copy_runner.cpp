#include "cli/copy_runner.hpp"

#include <csignal>
#include <iterator>

#include "cli/test_pause.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/address_router.hpp"

namespace offload::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;  // the signal that asked to stop (0 = none)

extern "C" void on_interrupt(int signal_number) { g_interrupted = signal_number; }

// Signals that end a copy cleanly: Ctrl-C, kill, a closed terminal (SIGHUP)
// and a reader of our output that went away (SIGPIPE).
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

// The stop handlers for the life of one copy, from before its submit (its
// first operations start at once, and a signal then must cancel too).
// Afterwards SIGPIPE stays ignored: printing the summary into a closed pipe
// fails quietly instead of killing the process after a finished copy.
class StopSignals {
 public:
  StopSignals() {
    g_interrupted = 0;
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    for (std::size_t i = 0; i < std::size(kStopSignals); ++i) sigaction(kStopSignals[i], &action, &old_[i]);
  }
  ~StopSignals() {
    for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
      if (kStopSignals[i] != SIGPIPE) sigaction(kStopSignals[i], &old_[i], nullptr);
    }
    signal(SIGPIPE, SIG_IGN);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_[std::size(kStopSignals)] {};
};

}  // namespace

std::expected<CopyStatus, CopyError> run_copy(const CopyRequest& request, const RunOptions& options) {
  auto pause = TestPause::from_environment();  // declared first: outlives the runtime
  if (!pause) return std::unexpected(pause.error());
  StopSignals stop_signals;
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
    if (g_interrupted && !cancelled) cancelled = engine.cancel(*cookie);
    progress.update(status, runtime.now_ns());
  }
  progress.finish(status, runtime.now_ns());
  return status;
}

int stop_signal() { return g_interrupted; }

double elapsed_seconds(const CopyStatus& status) {
  return static_cast<double>(status.finished_ns - status.submitted_ns) / 1e9;
}

}  // namespace offload::cli
