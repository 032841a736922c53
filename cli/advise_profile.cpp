#include "cli/advise_profile.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

namespace offload::cli {
namespace {

constexpr const char* kKind = "offload-calibration-profile";

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// method -> rms of (measured / simulated - 1) over the points of `fs`.
nlohmann::json rms_errors(const nlohmann::json& points, const std::string& fs) {
  std::map<std::string, std::pair<double, int>> sums;
  for (const auto& p : points) {
    if (p.value("fs", "") != fs || !p.contains("error")) continue;
    double e = p["error"].get<double>();
    auto& [squares, count] = sums[p["method"].get<std::string>()];
    squares += e * e;
    count += 1;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [method, sum] : sums) out[method] = std::sqrt(sum.first / sum.second);
  return out;
}

}  // namespace

std::string profile_directory() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0') {
    return std::string(state) + "/offload/profiles";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.local/state/offload/profiles";
  }
  return "";
}

std::vector<std::string> save_profiles(const nlohmann::json& validation, const std::string& provenance,
                                       const std::string& directory) {
  std::filesystem::create_directories(directory);
  std::vector<std::string> written;
  const auto& fit = validation.at("fit");
  for (const auto& fs : fit.at("filesystems")) {
    std::string name = fs.at("fs");
    nlohmann::json one_fs = fit;
    one_fs["filesystems"] = nlohmann::json::array({fs});
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : fit.at("time_lines")) if (line.at("fs") == name) lines.push_back(line);
    one_fs["time_lines"] = lines;
    nlohmann::json profile{{"kind", kKind}, {"version", 1}, {"fs", name}, {"created_utc", utc_now()},
                           {"provenance", provenance}, {"fit", one_fs},
                           {"rms_relative_error", rms_errors(validation.at("points"), name)}};
    std::string path = directory + "/" + name + ".json";
    std::ofstream out(path);
    out << profile.dump(1) << "\n";
    if (!out) throw std::runtime_error(path + ": cannot write the profile");
    written.push_back(path);
  }
  return written;
}

CalibrationFit fit_from_json(const nlohmann::json& j) {
  CalibrationFit fit;
  fit.cores = j.at("cores");
  fit.per_op_s = j.at("per_op_s");
  fit.cpu_rms_relative_residual = j.at("cpu_rms_relative_residual");
  for (const auto& f : j.at("filesystems")) {
    FsConstants fs;
    fs.fs = f.at("fs");
    fs.reflink = f.at("reflink");
    fs.copy_range_reflinks = f.at("copy_range_reflinks");
    fs.memcpy_Bps = f.at("memcpy_Bps");
    fs.kernel_copy_Bps = f.at("kernel_copy_Bps");
    fs.clone_fixed_s = f.at("clone_fixed_s");
    fs.clone_per_GiB_s = f.at("clone_per_GiB_s");
    fs.remap_fixed_s = f.at("remap_fixed_s");
    fs.core_speed = f.at("core_speed");
    fs.host_copy_start_s = f.at("host_copy_start_s");
    fs.buffer_fault_Bps = f.value("buffer_fault_Bps", 0.0);  // absent in profiles written before it was fitted
    fs.writeback_Bps = f.value("writeback_Bps", 0.0);  // absent in profiles written before it was measured
    fs.page_writeback_Bps = f.value("page_writeback_Bps", 0.0);  // same
    fs.write_share = f.value("write_share", 0.5);            // same
    fs.methods = f.at("methods").get<std::vector<std::string>>();
    fit.filesystems.push_back(fs);
  }
  for (const auto& l : j.at("time_lines")) {
    fit.lines.push_back({l.at("fs"), l.at("method"), l.at("intercept_s"), l.at("bandwidth_Bps"),
                         l.at("rms_relative_residual")});
  }
  return fit;
}

CalibrationProfile load_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read the profile: " + std::strerror(errno));
  CalibrationProfile p;
  p.path = path;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("kind", "") != kKind) {
      throw std::runtime_error(fmt::format("not a calibration profile (kind is not \"{}\")", kKind));
    }
    p.fs = j.at("fs");
    p.provenance = j.value("provenance", "");
    p.created_utc = j.value("created_utc", "");
    p.fit = fit_from_json(j.at("fit"));
    p.rms_error = j.at("rms_relative_error").get<std::map<std::string, double>>();
    if (p.fit.filesystems.size() != 1 || p.fit.filesystems[0].fs != p.fs) {
      throw std::runtime_error("its fit does not hold exactly the filesystem " + p.fs);
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not a valid profile: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  return p;
}

}  // namespace offload::cli
