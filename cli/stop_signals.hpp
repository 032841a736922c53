// Ctrl-C and friends for commands that run for a while: SIGINT, SIGTERM,
// SIGHUP and SIGPIPE (a reader of our output that went away) only set a flag
// while a StopSignals scope lives; the running copy is cancelled
// (cli/copy_runner.cpp) and the command checks the flag between its steps,
// cleans up what it made and exits 128 + the signal number, as a shell
// reports a process a signal ended.
#pragma once

#include <stdexcept>

namespace offload::cli {

/// Signal handlers for the life of this object. Scopes nest: the outermost
/// one installs the handlers and clears the flag; inner ones (each copy's)
/// change nothing. When the outermost ends, the old handlers come back,
/// except SIGPIPE, which stays ignored: printing into a closed pipe then
/// fails quietly instead of killing the process.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

/// The signal that asked to stop since the outermost scope began (0 = none).
int stop_signal();

/// Thrown at a command's next step once a stop signal arrived; main() prints
/// it and exits with exit_code().
class Stopped : public std::runtime_error {
 public:
  /// For stop_signal() `signal_number`.
  explicit Stopped(int signal_number);
  /// 128 + the signal number.
  [[nodiscard]] int exit_code() const { return 128 + signal_number_; }

 private:
  int signal_number_;
};

/// Throws Stopped when a stop signal arrived.
void throw_if_stopped();

}  // namespace offload::cli
