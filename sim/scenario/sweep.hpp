// Sweep expansion: a scenario's [sweep] table names parameters and their
// values ("link.lan.bandwidth" = ["1Gbps", "10Gbps"], or a [sweep.NAME]
// table whose keys vary together); every point of the product is the whole
// scenario with those values written in, parsed as any scenario is.
#pragma once

#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/toml_fields.hpp"

namespace offload::sim::scenario_toml {

/// The steps to the value a sweep key names ("link.lan.bandwidth",
/// "copy.1.size", "nfs_server.filer.disk.read", "engine.queue_depth"; the
/// field last, which may be absent), or why it names none. Tables are never
/// created: a key names what the file has.
std::expected<std::vector<KeyStep>, std::string> key_path(const Value& root, const std::string& key);

/// Reads one point's TOML tree (`root` with the point's values) into a Scenario.
using PointParser = std::function<Scenario(const Value& root, const std::string& file)>;

/// Every point of `root`'s sweep (one without a sweep), parsed by `parse_point`,
/// in file order with the last axis varying fastest; throws ScenarioError for
/// a bad sweep or one over kMaxSweepPoints points.
ScenarioSet expand_sweep(const Value& root, const std::string& file, const PointParser& parse_point);

}  // namespace offload::sim::scenario_toml
