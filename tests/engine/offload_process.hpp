// Runs the `offload` program from a test: spawn it with a test hook set (a
// stop point, engine/targets/stop_point.hpp, or a pause after N operations,
// engine/op_gate.hpp), wait for it to stop, pause or end, read what it said
// on stderr (a file, or a pipe read as it goes). A test that leaves early
// kills and reaps the process.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/engine/real_copy_util.hpp"

extern char** environ;

namespace offload::testing {

/// The `offload` environment variable of a stop point (the process SIGSTOPs itself there).
inline constexpr const char* kStopAtVariable = "OFFLOAD_TEST_STOP_AT";
/// The `offload` environment variable of a pause: it holds before that operation until a line on stdin.
inline constexpr const char* kPauseVariable = "OFFLOAD_TEST_PAUSE_AFTER_OPS";

/// How to start `offload`. The test hooks of the test's own environment are
/// never passed on: only those given here.
struct SpawnOptions {
  std::string stop_at;                           ///< OFFLOAD_TEST_STOP_AT ("" = unset)
  std::optional<std::uint64_t> pause_after_ops;  ///< OFFLOAD_TEST_PAUSE_AFTER_OPS (nullopt = unset)
  std::string stderr_path;                       ///< stderr into this file ("" = a pipe, see read_stderr)
};

/// A running `offload` process: its stdin a pipe, its stderr a file or a pipe.
struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;        ///< write end; a line (or closing it) ends a test pause
  int stderr_fd = -1;       ///< read end of the stderr pipe (-1 when stderr is a file)
  std::string stderr_path;  ///< the stderr file ("" with a pipe)
  std::string stderr_text;  ///< read from the pipe so far

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    close_stdin();
    if (stderr_fd >= 0) close(stderr_fd);
    if (pid > 0) {  // a test that stopped early: do not leave the process behind (stopped or not)
      kill(pid, SIGKILL);
      reap();
    }
  }
  void close_stdin() {
    if (stdin_fd >= 0) close(stdin_fd);
    stdin_fd = -1;
  }
  /// waitpid's status (blocks until the process ends).
  int reap() {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = -1;
    return status;
  }
  /// Blocks until the process stops at its stop point (true) or ends (false).
  bool wait_stopped() const {
    int status = 0;
    while (waitpid(pid, &status, WUNTRACED) < 0 && errno == EINTR) {
    }
    return WIFSTOPPED(status);
  }
  /// Reads the stderr pipe until `text` appears or, without `text`, to its
  /// end (true); false when it ends first or `bound` passes.
  bool read_stderr(std::optional<std::string> text, std::chrono::seconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (!text || stderr_text.find(*text) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd ready{.fd = stderr_fd, .events = POLLIN, .revents = 0};
      int n = poll(&ready, 1, static_cast<int>(left.count()));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      char bytes[4096];
      ssize_t got = read(stderr_fd, bytes, sizeof bytes);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return false;
      if (got == 0) return !text;
      stderr_text.append(bytes, static_cast<std::size_t>(got));
    }
    return true;
  }
  /// All of the stderr pipe once the process closed it (with a note when it did not within kReachBound).
  std::string rest_of_stderr() {
    if (read_stderr(std::nullopt, kReachBound)) return stderr_text;
    return stderr_text + "[stderr still open after " + std::to_string(kReachBound.count()) + " s]\n";
  }
};

/// Starts `offload ARGS` into `child` as `options` say.
inline ::testing::AssertionResult spawn_offload(Child& child, const std::vector<std::string>& args,
                                                const SpawnOptions& options = {}) {
  std::vector<std::string> all{OFFLOAD_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with(std::string(kStopAtVariable) + "=") || entry.starts_with(std::string(kPauseVariable) + "=")) continue;
    environment.emplace_back(entry);
  }
  if (!options.stop_at.empty()) environment.push_back(std::string(kStopAtVariable) + "=" + options.stop_at);
  if (options.pause_after_ops) environment.push_back(std::string(kPauseVariable) + "=" + std::to_string(*options.pause_after_ops));
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);

  bool err_pipe = options.stderr_path.empty();
  int in[2], err[2] = {-1, -1};
  if (pipe2(in, O_CLOEXEC) != 0) return ::testing::AssertionFailure() << "pipe: " << std::strerror(errno);
  if (err_pipe && pipe2(err, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return ::testing::AssertionFailure() << "pipe: " << std::strerror(errno);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (err_pipe) {
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  int failed = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  if (err_pipe) close(err[1]);
  child.stdin_fd = in[1];
  child.stderr_fd = err[0];
  child.stderr_path = options.stderr_path;
  if (failed == 0) return ::testing::AssertionSuccess();
  child.pid = -1;
  return ::testing::AssertionFailure() << "cannot start " << OFFLOAD_BINARY << ": " << std::strerror(failed);
}

/// Whole text of a file ("" when missing).
inline std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace offload::testing
