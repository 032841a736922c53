// Runs one simulation in a forked child (SimGrid 3.32: one simulation per
// process) and returns its JSON record to the test in the parent.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>

#include <simgrid/s4u.hpp>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"
#include "sim/simulation.hpp"

namespace offload::testing {

/// Runs `work` in a forked child and returns the JSON it produced, or
/// {"error": text} when it threw or the child died.
inline nlohmann::json in_child(const std::function<nlohmann::json()>& work) {
  int fds[2];
  if (pipe(fds) != 0) return {{"error", "pipe failed"}};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      out = work().dump();
    } catch (const std::exception& e) {
      out = nlohmann::json{{"error", e.what()}}.dump();
    }
    for (std::size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (text.empty()) return {{"error", "the simulation process died (status " + std::to_string(status) + ")"}};
  return nlohmann::json::parse(text);
}

/// A SimGrid engine that logs only critical messages, for a test that
/// builds its own platform (SimGrid 3.32: one engine per process, so make it
/// inside in_child()).
class QuietEngine {
 public:
  /// `program` names the process in SimGrid's messages.
  explicit QuietEngine(std::string program) : program_(std::move(program)) {
    argv_[0] = program_.data();
    argv_[1] = quiet_.data();
    engine_ = std::make_unique<simgrid::s4u::Engine>(&argc_, argv_);
  }
  /// Runs the simulation until no actor is left.
  void run() { engine_->run(); }

 private:
  std::string program_;
  std::string quiet_ = "--log=root.thres:critical";
  int argc_ = 2;
  char* argv_[3] = {nullptr, nullptr, nullptr};
  std::unique_ptr<simgrid::s4u::Engine> engine_;
};

/// The results record of `method` at sweep point `point` of `toml`, or
/// {"error": text} when the child failed.
inline nlohmann::json simulate(const std::string& toml, const std::string& method, std::size_t point = 0) {
  return in_child([&] {
    auto set = sim::load_scenario_text(toml, "test.toml");
    auto variant = sim::parse_method_variant(method);
    return sim::run_simulation(set.points.at(point), *variant);
  });
}

}  // namespace offload::testing
