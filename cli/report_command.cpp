// `offload report INPUT... [--out DIR]`: one self-contained HTML page (plots,
// tables) plus CSV/JSON from simulation results, `offload compare` reports,
// `offload calibrate` validation and Google Benchmark JSON. The work is done by the Python module
// offloadsim.report (matplotlib), run as `/usr/bin/python3 -m offloadsim.report`
// with PYTHONPATH set to the build's python dir (<dir of this program>/python),
// the installed package (<dir>/../lib/python3/dist-packages) or $OFFLOAD_PYTHONPATH.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace offload::cli {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

struct ReportOptions {
  std::vector<std::string> inputs;
  std::string out = "reports";
  std::string title;
};

/// Where the offloadsim package is: $OFFLOAD_PYTHONPATH, else <dir of this
/// program>/python (a build tree), else <dir>/../lib/python3/dist-packages
/// (an installed prefix).
std::string python_path() {
  if (const char* env = std::getenv("OFFLOAD_PYTHONPATH"); env && *env) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "python";
  auto build = exe.parent_path() / "python";
  auto installed = exe.parent_path().parent_path() / "lib" / "python3" / "dist-packages";
  if (!std::filesystem::exists(build / "offloadsim" / "report" / "__main__.py") &&
      std::filesystem::exists(installed / "offloadsim" / "report" / "__main__.py")) {
    return installed.string();
  }
  return build.string();
}

int run_report(const ReportOptions& o) {
  std::string package = python_path();
  if (!std::getenv("OFFLOAD_PYTHONPATH") && !std::filesystem::exists(std::filesystem::path(package) / "offloadsim" / "report" / "__main__.py")) {
    std::fprintf(stderr, "offload: %s/offloadsim/report/__main__.py not found: build with OFFLOAD_BUILD_PYTHON=ON or set OFFLOAD_PYTHONPATH\n",
                 package.c_str());
    return 1;
  }
  std::string pythonpath = package;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) pythonpath += std::string(":") + old;

  std::vector<std::string> args{kPython, "-m", "offloadsim.report", "--out", o.out};
  if (!o.title.empty()) {
    args.push_back("--title");
    args.push_back(o.title);
  }
  args.push_back("--");
  args.insert(args.end(), o.inputs.begin(), o.inputs.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "offload: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    setenv("PYTHONPATH", pythonpath.c_str(), 1);
    execv(kPython, argv.data());
    std::fprintf(stderr, "offload: cannot run %s: %s\n", kPython, std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "offload: waitpid: %s\n", std::strerror(errno));
      return 1;
    }
  }
  if (WIFSIGNALED(status)) {
    std::fprintf(stderr, "offload: %s -m offloadsim.report killed by signal %d\n", kPython, WTERMSIG(status));
    return 1;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (code == 0) {
    std::error_code ec;
    auto page = std::filesystem::absolute(std::filesystem::path(o.out) / "index.html", ec);
    std::printf("page: file://%s\n", (ec ? std::filesystem::path(o.out) / "index.html" : page).c_str());
  }
  return code;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* report = app.add_subcommand(
      "report", "One HTML page with plots (plus CSV/JSON) from sim results, compare reports and benchmark JSON");
  report->add_option("INPUT", o->inputs,
                     "Results dir or results.json of `offload sim`, compare.json, validation.json of `offload calibrate`, "
                     "Google Benchmark JSON, or a dir of them")
      ->required();
  report->add_option("--out,-o", o->out, "Directory for index.html and data/ (default: reports)");
  report->add_option("--title", o->title, "Page title");
  return [o] { return run_report(*o); };
}

}  // namespace offload::cli
