#include "cli/advise_verify.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "cli/copy_trial.hpp"

namespace offload::cli {
namespace {

// A name no other file has: mkstemp claims it, the trials replace it and remove it.
std::string claim_temporary(const std::string& directory, const std::string& method) {
  std::string path = directory + "/.offload-advise-" + method + "-XXXXXX";
  int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(directory + ": cannot create a temporary destination: " + std::strerror(errno));
  close(fd);
  return path;
}

}  // namespace

bool measured_right(const MeasuredMethod& recommended, const MeasuredMethod& fastest) {
  return recommended.seconds <= fastest.seconds * 1.10 || recommended.seconds <= fastest.max_s;
}

std::vector<MeasuredMethod> verify_methods(const PathProbe& probe, const AdviceModel& model, unsigned repeat) {
  std::vector<TrialSpec> specs;
  for (const auto& prediction : model.predictions) {
    specs.push_back({probe.destination_dir, probe.source, probe.source_bytes, prediction.method, repeat, {}, true, true});
    specs.back().engine.queue_depth = model.queue_depth;
    specs.back().destination = claim_temporary(probe.destination_dir, prediction.method);
  }
  nlohmann::json runs = nlohmann::json::array();
  std::vector<TrialResult> results = run_interleaved(specs, runs);  // the methods' copies take turns
  std::vector<MeasuredMethod> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    TrialSpec& spec = specs[i];
    TrialResult& t = results[i];
    if (t.ok() && median(t.seconds) < kShortCopySeconds && t.seconds.size() < kShortCopySamples) {
      spec.repeat = kShortCopySamples - static_cast<unsigned>(t.seconds.size());
      spec.warm_up = false;  // warm, and verified, already
      spec.verify_first = false;
      append_trials(t, run_trials(spec, runs));
    }
    unlink(spec.destination.c_str());  // run_trials removes it too; this covers a failure before its first copy
    MeasuredMethod m{spec.method, t.outcome, median(t.seconds), median(t.cpu_seconds), t.seconds};
    if (!t.seconds.empty()) {
      m.min_s = *std::min_element(t.seconds.begin(), t.seconds.end());
      m.max_s = *std::max_element(t.seconds.begin(), t.seconds.end());
    }
    out.push_back(m);
  }
  return out;
}

}  // namespace offload::cli
