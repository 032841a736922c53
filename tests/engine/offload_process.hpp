// Runs the `offload` program from a test: spawn with stderr in a file and an
// optional stop point (OFFLOAD_TEST_STOP_AT, see engine/targets/stop_point.hpp),
// wait for it to stop there or to end, read what it said.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace offload::testing {

/// A running `offload` process with its stderr in a file.
struct Child {
  pid_t pid = -1;
  std::string stderr_path;
};

/// Starts `offload ARGS...`; with `stop_at`, the process stops itself there.
inline Child spawn_offload(const std::vector<std::string>& args, const std::string& stderr_path,
                           const std::string& stop_at = "") {
  std::vector<std::string> all{OFFLOAD_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string(*e).starts_with("OFFLOAD_TEST_STOP_AT=")) env_text.emplace_back(*e);
  }
  if (!stop_at.empty()) env_text.push_back("OFFLOAD_TEST_STOP_AT=" + stop_at);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Child child{-1, stderr_path};
  if (posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) child.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return child;
}

/// waitpid's status for the child once it ends (blocks).
inline int reap(const Child& child) {
  int status = 0;
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

/// SIGKILLs and reaps a child still running when the test leaves early
/// (a stopped child would hold its files and locks for later tests).
struct KillOnExit {
  Child& child;
  ~KillOnExit() {
    if (child.pid > 0 && waitpid(child.pid, nullptr, WNOHANG) == 0) {
      kill(child.pid, SIGKILL);
      waitpid(child.pid, nullptr, 0);
    }
  }
};

/// Blocks until the child stops at its stop point (true) or ends (false).
inline bool wait_stopped(const Child& child) {
  int status = 0;
  while (waitpid(child.pid, &status, WUNTRACED) < 0 && errno == EINTR) {
  }
  return WIFSTOPPED(status);
}

/// Whole text of a file ("" when missing).
inline std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace offload::testing
