#include "cli/advise_verify.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
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

MeasuredMethod summarise(const TrialSpec& spec, const TrialResult& t) {
  MeasuredMethod m{spec.method, t.outcome, median(t.seconds), median(t.cpu_seconds), t.seconds};
  if (!t.seconds.empty()) {
    m.min_s = *std::min_element(t.seconds.begin(), t.seconds.end());
    m.max_s = *std::max_element(t.seconds.begin(), t.seconds.end());
  }
  return m;
}

}  // namespace

std::vector<std::size_t> retime_overlapping(const std::vector<MeasuredMethod>& measured) {
  std::optional<std::size_t> fastest;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    if (measured[i].outcome != "ok" || measured[i].samples_s.empty()) continue;
    if (!fastest || measured[i].seconds < measured[*fastest].seconds) fastest = i;
  }
  // A short copy has kShortCopySamples already.
  if (!fastest || measured[*fastest].seconds < kShortCopySeconds) return {};
  const MeasuredMethod& best = measured[*fastest];
  std::vector<std::size_t> again;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    const MeasuredMethod& m = measured[i];
    if (i == *fastest || m.outcome != "ok" || m.samples_s.empty()) continue;
    if (m.seconds > best.seconds * 1.10 && m.min_s <= best.max_s) again.push_back(i);
  }
  if (!again.empty()) again.insert(again.begin(), *fastest);
  return again;
}

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
    out.push_back(summarise(spec, t));
  }
  std::vector<std::size_t> again = retime_overlapping(out);
  std::vector<std::size_t> order = again;
  for (unsigned round = 0; round < kOverlapExtraCopies && !again.empty(); ++round) {
    if (round > 0) std::reverse(order.begin(), order.end());  // every other round in the reverse order
    std::vector<TrialSpec> one_each;  // one copy per method
    for (std::size_t i : order) {
      TrialSpec spec = specs[i];
      spec.repeat = 1;
      spec.warm_up = spec.verify_first = false;  // warm, and verified, already
      one_each.push_back(spec);
    }
    std::vector<TrialResult> more = run_interleaved(one_each, runs);
    for (std::size_t k = 0; k < order.size(); ++k) append_trials(results[order[k]], more[k]);
  }
  for (std::size_t i : again) out[i] = summarise(specs[i], results[i]);
  for (const auto& spec : specs) unlink(spec.destination.c_str());  // run_trials removes it too; this covers a failure before its first copy
  return out;
}

}  // namespace offload::cli
