#include "cli/advise_simulate.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include "sim/simulation.hpp"

namespace offload::cli {
namespace {

void write_all(int fd, const std::string& text) {
  for (std::size_t done = 0; done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

nlohmann::json simulate_in_child(const sim::Scenario& scenario, const sim::MethodVariant& method) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(pipe_fds[0]);
    int code = 0;
    std::string text;
    try {
      text = nlohmann::json{{"result", sim::run_simulation(scenario, method)}}.dump();
    } catch (const std::exception& e) {
      text = nlohmann::json{{"error", e.what()}}.dump();
      code = 1;
    }
    write_all(pipe_fds[1], text);
    _exit(code);
  }
  close(pipe_fds[1]);
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  nlohmann::json reply = nlohmann::json::parse(text, nullptr, false);
  if (reply.is_object() && reply.contains("result")) return reply["result"];
  std::string why = reply.is_object() && reply.contains("error")
                        ? reply["error"].get<std::string>()
                        : (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                               : "exit " + std::to_string(WEXITSTATUS(status)));
  throw std::runtime_error("the simulated " + method.label + " copy failed: " + why);
}

}  // namespace offload::cli
