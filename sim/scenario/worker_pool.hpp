// Runs programs in child processes, at most N at once: how `offload sim`
// runs its simulations side by side (SimGrid 3.32 runs one simulation per
// process, so each is a fresh process started with posix_spawn, never a
// fork of a process that holds simulation state). Each child's stderr comes
// back through a pipe, so a failure can be reported with what the child
// said and parallel children never interleave on the terminal. The first
// failure, or a stop request, ends every other child (SIGKILL) before
// run_workers returns. POSIX only; no SimGrid here.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace offload::sim {

/// One program to run: argv[0] is the program's path.
struct WorkerTask {
  std::vector<std::string> argv;  ///< the program and its arguments
  std::string label;              ///< how errors and progress name it
};

/// How a task ended, given to WorkerPoolOptions::on_finished.
struct WorkerDone {
  std::size_t index = 0;     ///< into the task list
  std::size_t finished = 0;  ///< tasks finished so far, this one included
  double wall_s = 0;         ///< seconds from start to exit
  std::string stderr_text;   ///< what it wrote to stderr
};

/// How run_workers runs the tasks.
struct WorkerPoolOptions {
  unsigned jobs = 1;                           ///< children at once (at least 1)
  std::function<bool()> stop_requested;        ///< checked whenever a signal wakes the pool (empty: never)
  std::function<void(const WorkerDone&)> on_finished;  ///< after each successful task, in the order they end
};

/// A task exited with a non-zero status or was killed by a signal.
class WorkerFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// stop_requested() said yes; every child was ended.
class WorkersStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The CPUs this process may run on (sched_getaffinity, as nproc counts
/// them; else the online CPUs; at least 1): the default number of jobs.
unsigned usable_cpus();

/// Runs every task, at most options.jobs at once, in list order of starting.
/// Returns when all exited 0. Throws WorkerFailed (the task's label, exit
/// status and stderr) for the first that did not, WorkersStopped when a stop
/// was requested, std::runtime_error when a child cannot be started; in every
/// case no child is left running. SIGINT, SIGTERM, SIGHUP and SIGPIPE are
/// blocked except while the pool waits, so a handler that asks to stop (see
/// stop_requested) always wakes it; without handlers they act as before.
void run_workers(const std::vector<WorkerTask>& tasks, const WorkerPoolOptions& options);

}  // namespace offload::sim
