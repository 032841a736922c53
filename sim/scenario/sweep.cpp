#include "sim/scenario/sweep.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <utility>
#include <variant>
#include <vector>

namespace offload::sim::scenario_toml {

std::expected<std::vector<KeyStep>, std::string> key_path(const Value& root, const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream stream(key);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  if (parts.size() < 2) return std::unexpected("expected SECTION.NAME.FIELD or SECTION.FIELD");
  const auto& top = root.as_table();
  if (!top.contains(parts[0])) return std::unexpected("no section '" + parts[0] + "' in the scenario");
  std::vector<KeyStep> path{parts[0]};
  const Value* node = &top.at(parts[0]);
  std::size_t next = 1;
  if (node->is_array()) {
    const auto& items = node->as_array();
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_table()) continue;
      const auto& t = items[i].as_table();
      bool by_name = t.contains("name") && t.at("name").is_string() && t.at("name").as_string().str == parts[1];
      if (by_name || std::to_string(i + 1) == parts[1]) found = i;
    }
    if (!found) return std::unexpected("no " + parts[0] + " named (or numbered) '" + parts[1] + "'");
    path.emplace_back(*found);
    node = &items[*found];
    next = 2;
  }
  if (next >= parts.size()) return std::unexpected("names no field");
  for (; next + 1 < parts.size(); ++next) {
    if (!node->is_table() || !node->as_table().contains(parts[next])) return std::unexpected("no table '" + parts[next] + "'");
    path.emplace_back(parts[next]);
    node = &node->as_table().at(parts[next]);
  }
  if (!node->is_table()) return std::unexpected("'" + parts[next - 1] + "' is not a table");
  path.emplace_back(parts.back());
  return path;
}

namespace {

// Replaces (or adds) the value a sweep key names; `at` is where the key is written.
void apply_sweep_value(Value& root, const std::string& key, const Value& value, const Value& at) {
  auto path = key_path(root, key);
  if (!path) fail_at(at, "[sweep] key '" + key + "': " + path.error());
  Value* node = &root;
  for (std::size_t i = 0; i + 1 < path->size(); ++i) {
    const KeyStep& step = (*path)[i];
    node = std::holds_alternative<std::size_t>(step) ? &node->as_array().at(std::get<std::size_t>(step))
                                                     : &node->as_table().at(std::get<std::string>(step));
  }
  node->as_table()[std::get<std::string>(path->back())] = value;
}

std::string value_text(const Value& v) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_table()) {  // on one line: {latency = 80us, read = 5310MiBps, ...}
    std::string text;
    for (const auto& [key, item] : v.as_table()) text += (text.empty() ? "" : ", ") + key + " = " + value_text(item);
    return "{" + text + "}";
  }
  std::ostringstream out;
  out << v;
  return out.str();
}

// One sweep axis: a key and its values, or a table of keys whose values
// vary together ([sweep.NAME]: the i-th point takes the i-th value of each).
struct Axis {
  std::string name;                          // the key, or the table's name
  std::vector<std::string> keys;
  std::vector<std::vector<Value>> values;    // per key, one per point of the axis
  std::vector<std::string> labels;           // a table's `label` values: the points' names (none: the values)
  const Value* at = nullptr;                 // where it is written
  std::size_t size() const { return values.front().size(); }
};

Axis read_axis(const std::string& key, const Value& entry) {
  Axis axis{key, {}, {}, {}, &entry};
  auto add = [&](const std::string& name, const Value& values) {
    if (!values.is_array() || values.as_array().empty()) fail_at(values, "[sweep] key '" + name + "': expected a non-empty array");
    axis.keys.push_back(name);
    axis.values.emplace_back(values.as_array().begin(), values.as_array().end());
  };
  if (!entry.is_table()) {
    add(key, entry);
    return axis;
  }
  std::vector<std::pair<std::size_t, std::string>> ordered;
  for (const auto& [name, values] : entry.as_table()) ordered.emplace_back(values.location().line(), name);
  std::sort(ordered.begin(), ordered.end());
  if (ordered.empty()) fail_at(entry, "[sweep." + key + "]: names no key");
  for (const auto& [line, name] : ordered) {
    const Value& values = entry.as_table().at(name);
    if (name == "label") {
      if (!values.is_array()) fail_at(values, "[sweep." + key + "] key 'label': expected an array of strings");
      for (const Value& label : values.as_array()) {
        if (!label.is_string()) fail_at(label, "[sweep." + key + "] key 'label': expected an array of strings");
        axis.labels.push_back(label.as_string().str);
      }
      continue;
    }
    add(name, values);
    if (axis.values.back().size() != axis.values.front().size()) {
      fail_at(values, "[sweep." + key + "] key '" + name + "': " + std::to_string(axis.values.back().size()) +
                          " values, but '" + axis.keys.front() + "' has " + std::to_string(axis.values.front().size()) +
                          " (the keys of one table vary together)");
    }
  }
  if (axis.keys.empty()) fail_at(entry, "[sweep." + key + "]: names no key to sweep");
  if (!axis.labels.empty() && axis.labels.size() != axis.size()) {
    fail_at(entry.as_table().at("label"), "[sweep." + key + "] key 'label': " + std::to_string(axis.labels.size()) +
                                              " labels for " + std::to_string(axis.size()) + " values");
  }
  return axis;
}

}  // namespace

ScenarioSet expand_sweep(const Value& root, const std::string& file, const PointParser& parse_point) {
  ScenarioSet set;
  std::vector<Axis> axes;
  if (!root.is_table()) throw ScenarioError(file + ": not a TOML table");
  if (root.as_table().contains("sweep")) {
    const Value& sweep = root.as_table().at("sweep");
    if (!sweep.is_table()) fail_at(sweep, "[sweep] must be a table");
    // toml11 tables are unordered: order the axes by their line in the file.
    std::vector<std::pair<std::size_t, std::string>> ordered;
    for (const auto& [key, values] : sweep.as_table()) ordered.emplace_back(values.location().line(), key);
    std::sort(ordered.begin(), ordered.end());
    for (const auto& [line, key] : ordered) {
      axes.push_back(read_axis(key, sweep.as_table().at(key)));
      if (!axes.back().labels.empty()) set.sweep_keys.push_back(key);
      else set.sweep_keys.insert(set.sweep_keys.end(), axes.back().keys.begin(), axes.back().keys.end());
    }
  }
  // Every point is a whole scenario (and each point x method one simulation
  // run): refuse a product that cannot be meant before expanding any of it,
  // naming the key that takes it over the limit and the axes so far.
  std::size_t total = 1;
  std::string product;
  for (const auto& axis : axes) {
    total *= axis.size();  // checked as it grows: never wraps
    product += (product.empty() ? "" : " x ") + std::to_string(axis.size()) + " ('" + axis.name + "')";
    if (total > kMaxSweepPoints) {
      fail_at(*axis.at, "[sweep] key '" + axis.name + "': the sweep would have " + product + " = " + std::to_string(total) +
                            (&axis == &axes.back() ? "" : " or more") + " points, more than " + std::to_string(kMaxSweepPoints));
    }
  }
  for (std::size_t index = 0; index < total; ++index) {
    Value point = root;
    std::map<std::string, std::string> applied;
    std::size_t rest = index;
    for (auto axis = axes.rbegin(); axis != axes.rend(); ++axis) {  // last axis varies fastest
      std::size_t i = rest % axis->size();
      rest /= axis->size();
      for (std::size_t k = 0; k < axis->keys.size(); ++k) {
        const Value& value = axis->values[k][i];
        apply_sweep_value(point, axis->keys[k], value, value);
        if (axis->labels.empty()) applied[axis->keys[k]] = value_text(value);
      }
      if (!axis->labels.empty()) applied[axis->name] = axis->labels[i];  // the label names the point
    }
    Scenario scenario = parse_point(point, file);
    scenario.point = std::move(applied);
    set.points.push_back(std::move(scenario));
  }
  return set;
}

}  // namespace offload::sim::scenario_toml
