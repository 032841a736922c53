#include "cli/stop_signals.hpp"

#include <signal.h>

#include <csignal>
#include <cstring>
#include <iterator>
#include <string>

namespace offload::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;  // the signal that asked to stop (0 = none)
int g_depth = 0;                               // live StopSignals scopes (main thread only)

extern "C" void on_stop_signal(int signal_number) { g_interrupted = signal_number; }

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
struct sigaction g_old[std::size(kStopSignals)] {};

}  // namespace

StopSignals::StopSignals() {
  if (g_depth++ > 0) return;
  g_interrupted = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i) sigaction(kStopSignals[i], &action, &g_old[i]);
}

StopSignals::~StopSignals() {
  if (--g_depth > 0) return;
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i) {
    if (kStopSignals[i] != SIGPIPE) sigaction(kStopSignals[i], &g_old[i], nullptr);
  }
  signal(SIGPIPE, SIG_IGN);
}

int stop_signal() { return g_interrupted; }

Stopped::Stopped(int signal_number)
    : std::runtime_error(std::string("stopped by ") + (sigabbrev_np(signal_number) ? "SIG" : "signal ") +
                         (sigabbrev_np(signal_number) ? sigabbrev_np(signal_number) : std::to_string(signal_number))),
      signal_number_(signal_number) {}

void throw_if_stopped() {
  if (int signal_number = stop_signal(); signal_number != 0) throw Stopped(signal_number);
}

}  // namespace offload::cli
