#include "sim/scenario/worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>

extern char** environ;

namespace offload::sim {
namespace {

// Signals that may ask the caller to stop (cli/stop_signals.hpp catches them).
constexpr int kWakeSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
// The tail of a child's stderr that is kept for its error message.
constexpr std::size_t kStderrKeptBytes = 64 * 1024;

using Clock = std::chrono::steady_clock;

// Blocks the wake signals for its life; waiting() is the caller's mask, for
// ppoll, so a signal that came while blocked is taken the moment the pool waits.
class BlockedSignals {
 public:
  BlockedSignals() {
    sigset_t wake;
    sigemptyset(&wake);
    for (int signal_number : kWakeSignals) sigaddset(&wake, signal_number);
    pthread_sigmask(SIG_BLOCK, &wake, &caller_);
  }
  ~BlockedSignals() { pthread_sigmask(SIG_SETMASK, &caller_, nullptr); }
  BlockedSignals(const BlockedSignals&) = delete;
  BlockedSignals& operator=(const BlockedSignals&) = delete;
  [[nodiscard]] const sigset_t* waiting() const { return &caller_; }

 private:
  sigset_t caller_{};
};

struct Child {
  std::size_t index = 0;  // into the task list
  pid_t pid = -1;
  int stderr_fd = -1;  // read end of the child's stderr pipe
  std::string stderr_text;
  Clock::time_point start;
};

std::string errno_text(int error) { return std::strerror(error); }

// "exit 3" or "killed by SIGSEGV".
std::string status_text(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  const int signal_number = WTERMSIG(status);
  const char* name = sigabbrev_np(signal_number);
  return "killed by " + (name != nullptr ? "SIG" + std::string(name) : "signal " + std::to_string(signal_number));
}

std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// Starts `task` with its stderr into a new pipe, the wake signals unblocked
// and at their default actions (SIGPIPE may be ignored here).
Child spawn(const WorkerTask& task, std::size_t index) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe: " + errno_text(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&attributes, &signals);
  for (int signal_number : kWakeSignals) sigaddset(&signals, signal_number);
  posix_spawnattr_setsigdefault(&attributes, &signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> words = task.argv;
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  Child child{index, -1, pipe_fds[0], "", Clock::now()};
  const int rc = posix_spawn(&child.pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    throw std::runtime_error("cannot start " + task.argv.at(0) + " for " + task.label + ": " + errno_text(rc));
  }
  return child;
}

pid_t wait_for(pid_t pid, int* status) {
  pid_t done;
  do done = waitpid(pid, status, 0);
  while (done < 0 && errno == EINTR);
  return done;
}

class Pool {
 public:
  Pool(const std::vector<WorkerTask>& tasks, const WorkerPoolOptions& options) : tasks_(tasks), options_(options) {}
  ~Pool() { end_all(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void run() {
    BlockedSignals blocked;
    try {
      run_all(blocked);
    } catch (...) {
      end_all();  // before the signals are unblocked: one without a handler may end this process
      throw;
    }
  }

 private:
  void run_all(const BlockedSignals& blocked) {
    const std::size_t jobs = std::max(1U, options_.jobs);
    std::size_t next = 0;
    while (finished_ < tasks_.size()) {
      throw_if_stopped();
      while (next < tasks_.size() && children_.size() < jobs) {
        children_.push_back(spawn(tasks_[next], next));
        ++next;
      }
      std::vector<pollfd> polled;
      for (const Child& child : children_) polled.push_back({child.stderr_fd, POLLIN, 0});
      if (ppoll(polled.data(), polled.size(), nullptr, blocked.waiting()) < 0) {
        if (errno == EINTR) continue;  // a signal: maybe a stop (checked above)
        throw std::runtime_error("waiting for simulation processes: " + errno_text(errno));
      }
      throw_if_stopped();  // before a child the same signal ended looks like a failure
      for (std::size_t i = polled.size(); i-- > 0;) {  // from the back: erasing keeps earlier slots
        if (polled[i].revents != 0 && !read_stderr(children_[i])) finish(i);
      }
    }
  }

  void throw_if_stopped() {
    if (options_.stop_requested && options_.stop_requested()) {
      const std::size_t ended = children_.size();
      end_all();
      throw WorkersStopped("stopped; " + std::to_string(ended) + " running simulation process(es) ended");
    }
  }

  // Reads what the child wrote; false at end of file (the child is exiting).
  static bool read_stderr(Child& child) {
    char buffer[16 * 1024];
    const ssize_t n = read(child.stderr_fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    child.stderr_text.append(buffer, static_cast<std::size_t>(n));
    if (child.stderr_text.size() > kStderrKeptBytes) {
      child.stderr_text.erase(0, child.stderr_text.size() - kStderrKeptBytes);
    }
    return true;
  }

  void finish(std::size_t slot) {
    Child child = std::move(children_[slot]);
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(slot));
    close(child.stderr_fd);
    int status = 0;
    if (wait_for(child.pid, &status) < 0) {  // e.g. SIGCHLD ignored by the caller: children are reaped unasked
      throw std::runtime_error("cannot learn how " + tasks_[child.index].label + " ended: " + errno_text(errno));
    }
    const double wall_s = std::chrono::duration<double>(Clock::now() - child.start).count();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++finished_;
      if (options_.on_finished) options_.on_finished({child.index, finished_, wall_s, child.stderr_text});
      return;
    }
    throw_if_stopped();
    end_all();
    const std::string said = trimmed(child.stderr_text);
    throw WorkerFailed(tasks_[child.index].label + " failed (" + status_text(status) + "); its stderr: " +
                       (said.empty() ? "(empty)" : said));
  }

  void end_all() {
    for (const Child& child : children_) kill(child.pid, SIGKILL);
    for (const Child& child : children_) {
      close(child.stderr_fd);
      int status = 0;
      wait_for(child.pid, &status);
    }
    children_.clear();
  }

  const std::vector<WorkerTask>& tasks_;
  const WorkerPoolOptions& options_;
  std::vector<Child> children_;
  std::size_t finished_ = 0;
};

}  // namespace

unsigned usable_cpus() {
  cpu_set_t usable;
  if (sched_getaffinity(0, sizeof usable, &usable) == 0 && CPU_COUNT(&usable) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&usable));
  }
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<unsigned>(online) : 1U;
}

void run_workers(const std::vector<WorkerTask>& tasks, const WorkerPoolOptions& options) {
  Pool pool(tasks, options);
  pool.run();
}

}  // namespace offload::sim
