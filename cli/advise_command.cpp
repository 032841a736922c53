// `offload advise SOURCE DESTINATION`: which copy method, how long, how
// much CPU, for this real path, before copying (cli/advise.hpp); with
// --verify, then measured.
#include <cstdio>

#include <fmt/core.h>

#include "cli/advise.hpp"
#include "cli/commands.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

struct AdviseOptions {
  AdviseRequest request;
  bool json = false;
};

void print_text(const Advice& a) {
  fmt::print("Probe: {} -> {}\n{}", a.probe.source, a.probe.destination, probe_text(a.probe));
  fmt::print("Model: profile {} ({}, calibrated {}: {})\n", a.profile.path, a.profile.fs, a.profile.created_utc,
             a.profile.provenance);
  fmt::print("       {} at queue depth {}; ±rms: the profile's rms error of simulated vs measured copies\n",
             format_bytes(static_cast<double>(a.model.size_bytes)), a.model.queue_depth);
  fmt::print("       scenario: {}\n", a.model.scenario);
  if (a.model.remote.link_Bps > 0) {
    fmt::print("       link {} ({}); round trip {} ({}); server disk {} ({})\n", bits_text(a.model.remote.link_Bps),
               a.model.remote.link_how, format_duration(a.model.remote.round_trip_s), a.model.remote.round_trip_how,
               format_rate(a.model.remote.server_disk_Bps), a.model.remote.server_disk_how);
  }
  if (!a.model.page_cache.empty()) fmt::print("       page cache: {}\n", a.model.page_cache);
  fmt::print("\n");
  fmt::print("{}\nRecommended: {}\n", advice_table(a.model, a.measured), a.recommendation.reason);
  if (a.measured.empty()) return;
  const MeasuredMethod* best = nullptr;
  const MeasuredMethod* chosen = nullptr;
  for (const auto& m : a.measured) {
    if (m.outcome != "ok") continue;
    if (best == nullptr || m.seconds < best->seconds) best = &m;
    if (m.method == a.recommendation.method) chosen = &m;
  }
  if (best == nullptr || chosen == nullptr) {
    fmt::print("Measured: the recommended method did not finish\n");
  } else if (best == chosen) {
    fmt::print("Measured: {} was the fastest ({}, {} copies {}-{})\n", best->method, format_seconds(best->seconds),
               best->samples_s.size(), format_seconds(best->min_s), format_seconds(best->max_s));
  } else {
    fmt::print("Measured: {} was the fastest ({}, {} copies {}-{}); {} took {:+.0f} % longer: {}\n", best->method,
               format_seconds(best->seconds), best->samples_s.size(), format_seconds(best->min_s),
               format_seconds(best->max_s), chosen->method, (chosen->seconds / best->seconds - 1) * 100,
               measured_right(*chosen, *best) ? "within 10 % or inside the fastest's spread" : "outside the fastest's spread");
  }
}

int run_advise(const AdviseOptions& o) {
  try {
    Advice a = advise(o.request);
    if (o.json) {
      fmt::print("{}\n", advice_json(a.probe, a.profile, a.model, a.recommendation, a.measured).dump(1));
    } else {
      print_text(a);
    }
    return 0;
  } catch (const AdviseUsageError& e) {
    std::fprintf(stderr, "offload advise: %s\n", e.what());
    return 2;
  }
}

}  // namespace

Command add_advise_command(CLI::App& app) {
  auto o = std::make_shared<AdviseOptions>();
  CLI::App* sub = app.add_subcommand("advise", "Predict each copy method's time and CPU for a real path, and recommend one");
  sub->add_option("SOURCE", o->request.source, "File to copy")->required();
  sub->add_option("DESTINATION", o->request.destination, "Where the copy would go (a file, or an existing directory)")
      ->required();
  sub->add_option("--size", o->request.size, "Size to predict for (default: the source's size), e.g. 1GiB");
  sub->add_option("--queue-depth", o->request.queue_depth, "Operations in flight")->capture_default_str();
  sub->add_option("--profile", o->request.profile,
                  "Calibration profile (default: DIR/FS.json, DIR = $XDG_STATE_HOME/offload/profiles)");
  sub->add_option("--link-rate", o->request.link_rate, "NFS, SMB: the link's rate, e.g. 1Gbps (default: probed)");
  sub->add_option("--server-disk", o->request.server_disk,
                  "NFS, SMB: the server's disk rate, e.g. 500MBps (default: the profile's memory copy rate)");
  sub->add_option("--round-trip", o->request.round_trip,
                  "NFS, SMB: one request's round trip to the server, e.g. 200us (default: probed with statfs(2))");
  sub->add_flag("--json", o->json, "Print the answer as JSON");
  sub->add_flag("--verify", o->request.verify, "Then run each method for real (temporary files, removed) and compare");
  sub->add_option("--repeat", o->request.repeat, "Timed copies per method with --verify")->capture_default_str();
  return [o] { return run_advise(*o); };
}

}  // namespace offload::cli
