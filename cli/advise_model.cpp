#include "cli/advise_model.hpp"

#include <algorithm>

#include <fmt/core.h>

#include "cli/advise_simulate.hpp"
#include "cli/calibration_scenario.hpp"
#include "engine/engine.hpp"
#include "sim/scenario.hpp"

namespace offload::cli {
namespace {

double sum_values(const nlohmann::json& object) {
  double total = 0;
  for (const auto& [key, value] : object.items()) total += value.get<double>();
  return total;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> methods_for_path(const PathProbe& probe,
                                                                  std::vector<std::string>& allowed) {
  std::vector<std::pair<std::string, std::string>> left_out;
  if (probe.clone_works) {
    allowed.push_back("clone");
  } else {
    left_out.emplace_back("clone", "the FICLONERANGE probe failed: " + probe.clone_error);
  }
  if (probe.copy_range != CopyRangeBehaviour::fails) {
    allowed.push_back("kernel-copy");
  } else {
    left_out.emplace_back("kernel-copy", "the copy_file_range probe failed: " + probe.copy_range_error);
  }
  allowed.push_back("host");
  return left_out;
}

AdviceModel predict_methods(const PathProbe& probe, const CalibrationProfile& profile, std::uint64_t size_bytes,
                            unsigned queue_depth) {
  AdviceModel model{size_bytes, queue_depth, {}, {}};
  std::vector<std::string> allowed;
  model.left_out = methods_for_path(probe, allowed);
  FsConstants fs = profile.fit.filesystems.front();
  // The probe, not the calibration, says what copy_file_range does on this path (it copies across filesystems).
  fs.copy_range_reflinks = probe.copy_range == CopyRangeBehaviour::remaps;
  if (probe.copy_range == CopyRangeBehaviour::copies && !(fs.kernel_copy_Bps > 0)) {
    std::erase(allowed, "kernel-copy");
    model.left_out.emplace_back("kernel-copy", fmt::format("copy_file_range copies data here, and {} has no in-kernel "
                                                           "copy rate (calibrated where it remaps)", profile.path));
  }
  std::vector<std::string> methods;
  for (const auto& method : allowed) {
    if (std::find(fs.methods.begin(), fs.methods.end(), method) != fs.methods.end()) {
      methods.push_back(method);
    } else {
      model.left_out.emplace_back(method, profile.path + " has no calibrated " + method + " copies");
    }
  }
  EngineConfig engine;
  engine.queue_depth = queue_depth;
  std::string text = validation_scenario_toml(profile.fit, fs, {size_bytes}, {queue_depth}, methods, engine);
  sim::ScenarioSet set = sim::load_scenario_text(text, "advise-" + fs.fs);
  const sim::Scenario& scenario = set.points.at(0);
  for (const sim::MethodVariant& variant : scenario.methods) {
    nlohmann::json run = simulate_in_child(scenario, variant);
    const auto& copy = run.at("copies").at(0);
    if (copy.at("state") != "done") {
      throw std::runtime_error(fmt::format("the simulated {} copy ended {}", variant.label,
                                           copy.at("state").get<std::string>()));
    }
    MethodPrediction p;
    p.method = variant.label;
    p.seconds = copy.at("latency_s");
    p.throughput_Bps = p.seconds > 0 ? static_cast<double>(size_bytes) / p.seconds : 0;
    p.client_cpu_s = run.at("summary").at("client_cpu_s");
    p.user_space_bytes = variant.label == "host" ? static_cast<double>(size_bytes) : 0;
    p.link_bytes = sum_values(run.at("metrics").at("link_bytes"));
    p.operations = sum_values(run.at("engine_operations"));
    auto rms = profile.rms_error.find(variant.label);
    p.rms_error = rms == profile.rms_error.end() ? -1 : rms->second;
    model.predictions.push_back(p);
  }
  return model;
}

}  // namespace offload::cli
