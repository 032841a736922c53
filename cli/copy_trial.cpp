#include "cli/copy_trial.hpp"

#include <unistd.h>

#include <fcntl.h>

#include <algorithm>

#include "cli/copy_runner.hpp"
#include "cli/file_check.hpp"
#include "engine/status_json.hpp"

namespace offload::cli {
namespace {

void sync_directory(const std::string& directory) {
  int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the copy itself will report a missing directory
  syncfs(fd);
  close(fd);
}

}  // namespace

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

TrialResult run_trials(const TrialSpec& spec, nlohmann::json& runs) {
  TrialResult result;
  std::string destination =
      spec.destination.empty() ? spec.directory + "/offload-trial-" + spec.method + ".bin" : spec.destination;
  auto method = parse_method_choice(spec.method);
  if (!method) {
    result.outcome = "unknown method '" + spec.method + "'";
    return result;
  }
  unsigned copies = spec.repeat + (spec.warm_up ? 1 : 0);
  for (unsigned attempt = 0; attempt < copies; ++attempt) {
    if (stop_signal() != 0) {  // asked to stop while the last copy finished: start no other
      result.outcome = "stopped";
      break;
    }
    unlink(destination.c_str());
    if (spec.sync_first) sync_directory(spec.directory);
    CopyRequest request{.source = spec.source, .destination = destination, .method = *method};
    RunOptions options;
    options.engine = spec.engine;
    auto status = run_copy(request, options);
    if (!status || status->state != CopyState::done) {
      result.outcome = status ? (status->error ? status->error->describe() : "did not finish") : status.error().describe();
      if (status) result.fs = status->destination_fs;
      break;
    }
    result.fs = status->destination_fs;
    result.methods_used = status->methods_used_text();
    if (attempt > 0 || !spec.warm_up) {
      runs.push_back(status_json(*status, request));
      result.seconds.push_back(elapsed_seconds(*status));
      result.cpu_seconds.push_back(static_cast<double>(status->cpu_ns) / 1e9);
      result.operations.push_back(status->operations);
    }
    if (attempt == 0) {
      auto same = files_equal(spec.source, destination, spec.size_bytes);
      if (!same) {
        result.outcome = "VERIFY FAILED: " + same.error();
        break;
      }
      result.verified = true;
    }
  }
  unlink(destination.c_str());
  return result;
}

}  // namespace offload::cli
