// What bounded a run: each resource class's share of the run's time, by
// the utilisation law. For every resource on the copies' paths the run
// knows its busy time (its service demand): a link direction carried B
// bytes at capacity C (the link's bandwidth x the network model's
// bandwidth factor: 0.97 under LV08, 1 under CM02), so it was busy B / C
// seconds; a disk's busy time is its service demand (models/disk.hpp); a
// CPU's is the larger of its busiest connection lane's work (one core) and
// its total work / cores. Over a makespan T each class c (link, disk, cpu)
// has the utilisation u_c of its busiest resource. Its share of the time is
// u_c, scaled by 1 / sum(u) when the classes overlap (sum > 1: they were
// busy at once, as in a pipelined copy); whatever the classes leave
// unexplained (1 - sum of shares) is time no resource was saturated by the
// copy: round trips (latency, request/reply turns, polling, pipeline
// gaps). The shares sum to 1; the bound is the class with the largest
// share. A single busiest resource per class, not a sum: two links (or two
// disks) busy one after the other are each under-counted, and their time
// falls to round trips.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace offload::sim {

/// One resource's busy time in a run.
struct ResourceBusy {
  std::string kind;    ///< "link", "disk" or "cpu"
  std::string name;    ///< link (direction-less), disk or host name
  double busy_s = 0;   ///< seconds it was busy serving the run
};

/// The attribution of a run of makespan `span_s`:
/// {"bound", "shares": {link, disk, cpu, round_trips}, "utilisation": {...}, "busiest": {...}}.
nlohmann::json bottleneck_json(const std::vector<ResourceBusy>& resources, double span_s);

}  // namespace offload::sim
