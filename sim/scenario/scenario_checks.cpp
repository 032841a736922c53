#include "sim/scenario/scenario_checks.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <string>

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::sim {
namespace {

// The constants of estimate_memory: peak RSS of offload-sim-run
// (/usr/bin/time %M) on the rows of bench/README.md "Simulator memory"
// (2026-12-05, actor stacks mapped: scenarios/contention.toml cloning with
// 1,000 and 4,000 clients and 1,000 clients x 4 copies, bench/sim_scale.sh's
// asynchronous COPYs at 100 to 100,000). Least squares over the rows up to
// 10,000 copies gives 30.4 MiB + 62.7 KiB per host + 24.1 KiB per copy in
// flight (kCopyBytes included), but 100,000 COPYs peaked at 4.62 GiB, 44 %
// above that: their RSS grows ~50 KB per copy from 10,000, and SimGrid
// killing the daemon actors at the end adds ~1.2 GB. The estimate is to
// stay an upper bound (it refuses a run that would not fit), so the copy
// constant is the one that covers that row: 34 MiB + 64 KiB per host +
// 48 KiB per offloaded copy in flight is 4-67 % above every row.
// The start-up of the process (SimGrid, the engine code).
constexpr double kBaseBytes = 34.0 * 1048576;
// One slot of SimGrid 3.32's full-zone routing table per ordered pair of
// SimGrid hosts (a std::unique_ptr, zero-filled and so resident).
constexpr double kRoutePairBytes = 8;
// Per simulated host or server: its SimGrid host, CPU, engine, actor pools.
constexpr double kHostBytes = 64.0 * 1024;
// Per offloaded copy in flight (clone, server-side COPY, XCOPY/ODX, NVMe
// Copy): its engine state, its operation actor's stack pages, its RPCs.
constexpr double kOffloadInFlightBytes = 46.0 * 1024;  // + kCopyBytes: 48 KiB
// Per host-mediated copy in flight ("host", and "auto", which may fall back
// to it): queue_depth operation actors, each with a chunk's activities. The
// fit of 2026-12-02 (135 KiB), kept as an upper bound: streamed host copies
// at 1,000 -> 10,000 (bench/README.md, "Simulator scale") add ~102 KiB each
// once 64 KiB per host is taken off.
constexpr double kHostInFlightBytes = 135.0 * 1024;
// Per copy of the workload (its record and result).
constexpr double kCopyBytes = 2.0 * 1024;

// True when `method` may move the data through the host.
bool host_mediated(const MethodVariant& method) {
  return method.choice == MethodChoice::host || method.choice == MethodChoice::automatic;
}

// Who gave a derived name, for the message.
struct Owner {
  std::string what;  ///< "[[host]] 'vm' (member vm-1)", ...
  int line = 0;      ///< its declaration
};

// One SimGrid namespace (hosts, or links): the first owner of each name.
class Namespace {
 public:
  Namespace(const Scenario& s, const char* kind) : scenario_(s), kind_(kind) {}
  void claim(const std::string& name, Owner owner) {
    auto [it, fresh] = taken_.try_emplace(name, owner);
    if (fresh) return;
    Owner earlier = it->second, later = std::move(owner);
    if (earlier.line > later.line) std::swap(earlier, later);  // report at the later declaration
    throw ScenarioError(fmt::format("{}:{}: {}: the SimGrid {} name '{}' is already taken by {} (line {}); rename one",
                                    scenario_.file, later.line, later.what, kind_, name, earlier.what, earlier.line));
  }

 private:
  const Scenario& scenario_;
  const char* kind_;
  std::map<std::string, Owner> taken_;
};

std::vector<std::string> members(const HostSpec& h) {
  if (h.count == 1) return {h.name};
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(h.count));
  for (int i = 0; i < h.count; ++i) out.push_back(h.name + "-" + std::to_string(i));
  return out;
}

std::string quoted(const char* section, const std::string& name) { return fmt::format("[[{}]] '{}'", section, name); }

}  // namespace

void check_derived_names(const Scenario& s) {
  // The names sim/platform.cpp and models/ give SimGrid (every link is split-duplex: NAME_UP, NAME_DOWN).
  Namespace hosts(s, "host"), links(s, "link");
  for (const HostSpec& h : s.hosts) {
    for (const std::string& m : members(h)) {
      std::string what = h.count == 1 ? quoted("host", h.name) : quoted("host", h.name) + " (member '" + m + "')";
      hosts.claim(m, {what, h.line});
      if (h.disk) hosts.claim("disk:" + m + "-disk", {what + "'s disk", h.line});
      if (h.nic_Bps) links.claim(m + "-nic", {what + "'s NIC link", h.line});
    }
  }
  for (const NfsServerSpec& n : s.nfs_servers) {
    std::string what = quoted("nfs_server", n.name);
    hosts.claim(n.name, {what, n.line});
    hosts.claim("disk:" + n.name + "-disk", {what + "'s disk", n.line});
    if (n.nic_Bps) links.claim(n.name + "-nic", {what + "'s NIC link", n.line});
  }
  for (const SmbServerSpec& n : s.smb_servers) {
    std::string what = quoted("smb_server", n.name);
    hosts.claim(n.name, {what, n.line});
    hosts.claim("disk:" + n.name + "-disk", {what + "'s disk", n.line});
    if (n.nic_Bps) links.claim(n.name + "-nic", {what + "'s NIC link", n.line});
  }
  for (const ScsiArraySpec& a : s.scsi_arrays) {
    std::string what = quoted("scsi_array", a.name);
    hosts.claim(a.name, {what, a.line});
    hosts.claim("disk:" + a.name + "-backend", {what + "'s back end", a.line});
    if (a.port_Bps) links.claim(a.name + "-port", {what + "'s port link", a.line});
  }
  for (const NvmeTargetSpec& t : s.nvme_targets) {
    std::string what = quoted("nvme_target", t.name);
    hosts.claim(t.name, {what, t.line});
    hosts.claim("disk:" + t.name + "-flash", {what + "'s flash", t.line});
    if (t.port_Bps) links.claim(t.name + "-port", {what + "'s port link", t.line});
  }
  for (const LinkSpec& l : s.links) links.claim(l.name, {quoted("link", l.name), l.line});
}

MemoryEstimate estimate_memory(const Scenario& s, const MethodVariant* method) {
  MemoryEstimate e;
  std::map<std::string, double> group_size;
  double hosts = 0;
  for (const HostSpec& h : s.hosts) {
    group_size[h.name] = h.count;
    hosts += h.count;
    e.netpoints += static_cast<std::size_t>(h.count) * (h.disk ? 2 : 1);
  }
  const std::size_t boxes = s.nfs_servers.size() + s.smb_servers.size() + s.scsi_arrays.size() + s.nvme_targets.size();
  e.netpoints += 2 * boxes;
  hosts += static_cast<double>(boxes);
  double copies = 0;
  for (const CopySpec& c : s.copies) {
    double n = group_size.contains(c.on) ? group_size.at(c.on) : 1;
    e.copies_in_flight += n * std::min(c.concurrency, c.count);
    copies += n * c.count;
  }
  double points = static_cast<double>(e.netpoints);
  double routes = kRoutePairBytes * points * points;
  bool via_host = method != nullptr ? host_mediated(*method) : std::any_of(s.methods.begin(), s.methods.end(), host_mediated);
  double per_copy = via_host ? kHostInFlightBytes : kOffloadInFlightBytes;
  e.bytes = kBaseBytes + routes + kHostBytes * hosts + per_copy * e.copies_in_flight + kCopyBytes * copies;
  e.breakdown = fmt::format("routing table {} ({} SimGrid hosts squared) + {} for {} hosts + {} for {} {} copies in flight + {} for {} copies",
                            format_bytes(routes), e.netpoints, format_bytes(kHostBytes * hosts), hosts,
                            format_bytes(per_copy * e.copies_in_flight), e.copies_in_flight,
                            via_host ? "host-mediated" : "offloaded", format_bytes(kCopyBytes * copies), copies);
  return e;
}

double available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

void check_memory(const Scenario& s, double available_bytes, const MethodVariant* method) {
  if (!(available_bytes > 0)) return;
  MemoryEstimate e = estimate_memory(s, method);
  if (e.bytes <= available_bytes) return;
  throw ScenarioError(fmt::format("{}: this simulation needs about {} ({}) and the machine has {} available; "
                                  "use fewer hosts or copies in flight (the routing table grows with the square of the hosts)",
                                  s.file, format_bytes(e.bytes), e.breakdown, format_bytes(available_bytes)));
}

}  // namespace offload::sim
