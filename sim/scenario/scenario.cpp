#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_checks.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml.hpp>

#include "sim/scenario/sections.hpp"
#include "sim/scenario/sweep.hpp"
#include "sim/scenario/toml_fields.hpp"

namespace offload::sim {
namespace {

using namespace scenario_toml;

// The [scenario] table: name, seed, network model and the methods to run.
void read_scenario_table(Fields& top, Scenario& s) {
  Fields f(top.need("scenario"), "[scenario]");
  s.name = f.text("name");
  s.description = f.text("description", "");
  s.seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, INT64_MAX));
  s.network_model = f.text("network_model", "LV08");
  if (s.network_model != "LV08" && s.network_model != "CM02") {
    f.bad(*f.find("network_model"), "network_model", "'" + s.network_model + "' is not LV08 or CM02");
  }
  s.host_stage = f.text("host_stage", s.host_stage);
  if (s.host_stage != "chunked" && s.host_stage != "streaming") {
    f.bad(*f.find("host_stage"), "host_stage", "'" + s.host_stage + "' is not chunked or streaming");
  }
  for (const std::string& m : f.texts("methods")) {
    auto variant = parse_method_variant(m);
    if (!variant) f.bad(f.need("methods"), "methods", "unknown method '" + m + "' (" + method_variant_list() + ")");
    s.methods.push_back(*variant);
  }
  if (s.methods.empty()) f.bad(f.need("methods"), "methods", "lists no method");
  f.reject_unknown();
}

// The optional [engine] table: every client's engine settings.
void read_engine_table(Fields& top, Scenario& s) {
  const Value* engine = top.find("engine");
  if (engine == nullptr) return;
  Fields f(*engine, "[engine]");
  s.engine.queue_depth = static_cast<std::uint32_t>(f.integer("queue_depth", s.engine.queue_depth, 1, 4096));
  s.engine.copy_depth = static_cast<std::uint32_t>(f.integer("copy_depth", s.engine.copy_depth, 0, 4096));
  s.engine.host_chunk_bytes = static_cast<std::uint64_t>(f.size("host_chunk").value_or(static_cast<double>(s.engine.host_chunk_bytes)));
  s.engine.kernel_copy_chunk_bytes = static_cast<std::uint64_t>(f.size("kernel_copy_chunk").value_or(static_cast<double>(s.engine.kernel_copy_chunk_bytes)));
  s.engine.clone_chunk_bytes = static_cast<std::uint64_t>(f.size("clone_chunk").value_or(static_cast<double>(s.engine.clone_chunk_bytes)));
  s.engine.device_chunk_bytes = static_cast<std::uint64_t>(f.size("device_chunk").value_or(static_cast<double>(s.engine.device_chunk_bytes)));
  if (s.engine.kernel_copy_chunk_bytes == 0 || s.engine.clone_chunk_bytes == 0 || s.engine.device_chunk_bytes == 0) {
    fail_at(*engine, "[engine]: chunk sizes must be above zero");
  }
  if (s.engine.host_chunk_bytes == 0) f.bad(*f.find("host_chunk"), "host_chunk", "must be above zero");
  f.reject_unknown();
}

// A power profile `{ idle = W, epsilon = W, busy = W }` (watts; epsilon
// defaults to idle) of the [energy] table, `fallback` when absent.
PowerSpec read_power(Fields& energy, const std::string& key, const PowerSpec& fallback, bool with_epsilon) {
  const Value* v = energy.find(key);
  if (v == nullptr) return fallback;
  Fields f(*v, "[energy]." + key);
  auto watts = [&](const std::string& name, double value) {
    const Value* n = f.find(name);
    if (n == nullptr) return value;
    if (!n->is_floating() && !n->is_integer()) f.bad(*n, name, "expected a number of watts");
    double w = n->is_floating() ? n->as_floating() : static_cast<double>(n->as_integer());
    if (!std::isfinite(w) || w < 0) f.bad(*n, name, "watts must be a finite number, not negative");
    return w;
  };
  PowerSpec power;
  power.idle_W = watts("idle", fallback.idle_W);
  power.epsilon_W = with_epsilon ? watts("epsilon", power.idle_W) : power.idle_W;
  power.all_cores_W = watts("busy", fallback.all_cores_W);
  f.reject_unknown();
  return power;
}

// The optional [energy] table: power per class of machine, copied into
// every CPU and disk spec of its class.
void read_energy_table(Fields& top, Scenario& s) {
  EnergySpec& e = s.energy;
  if (const Value* energy = top.find("energy")) {
    Fields f(*energy, "[energy]");
    e.client = read_power(f, "client", e.client, true);
    e.server = read_power(f, "server", e.server, true);
    e.array = read_power(f, "array", e.array, true);
    e.disk = read_power(f, "disk", e.disk, false);
    PowerSpec link = read_power(f, "link", {e.link.idle_W, e.link.idle_W, e.link.busy_W}, false);
    e.link = {link.idle_W, link.all_cores_W};
    f.reject_unknown();
  }
  for (HostSpec& h : s.hosts) {
    h.cpu.power = e.client;
    if (h.disk) h.disk->power = e.disk;
  }
  auto boxes = [&](auto& specs, const PowerSpec& power) {
    for (auto& spec : specs) {
      spec.cpu.power = power;
      spec.disk.power = e.disk;
    }
  };
  boxes(s.nfs_servers, e.server);
  boxes(s.smb_servers, e.server);
  boxes(s.scsi_arrays, e.array);
  for (auto& target : s.nvme_targets) {  // an NVMe-oF target is an array: its controller CPU and its flash
    target.cpu.power = e.array;
    target.flash.power = e.disk;
  }
}

// nvme-copy needs a namespace to copy in: an [[nvme_target]].
void check_nvme_copy_has_target(Fields& top, const Scenario& s) {
  bool nvme_copy = std::any_of(s.methods.begin(), s.methods.end(),
                               [](const MethodVariant& m) { return m.choice == MethodChoice::nvme_copy; });
  if (!nvme_copy || !s.nvme_targets.empty()) return;
  Fields f(top.need("scenario"), "[scenario]");
  f.bad(f.need("methods"), "methods",
        "'nvme-copy' needs an [[nvme_target]] (an NVMe-oF controller whose namespaces the copies name as TARGET:nsN); this platform has none");
}

Scenario parse_point(const Value& root, const std::string& file) {
  Scenario s;
  s.file = file;
  Fields top(root, "top level");
  read_scenario_table(top, s);
  read_engine_table(top, s);
  top.find("sweep");
  std::set<std::string> names;
  read_entries(root, top, "host", s.hosts, [&](Fields& f, const Entry& e) { return read_host(f, e, names); });
  read_entries(root, top, "nfs_server", s.nfs_servers, [&](Fields& f, const Entry& e) { return read_nfs_server(f, e, names); });
  read_entries(root, top, "smb_server", s.smb_servers,
               [&](Fields& f, const Entry& e) { return read_smb_server(f, e, names, s.engine); });
  read_entries(root, top, "scsi_array", s.scsi_arrays, [&](Fields& f, const Entry& e) { return read_scsi_array(f, e, names); });
  read_entries(root, top, "nvme_target", s.nvme_targets,
               [&](Fields& f, const Entry& e) { return read_nvme_target(f, e, names); });
  read_entries(root, top, "link", s.links, [&](Fields& f, const Entry& e) { return read_link(f, e, names); });
  const auto* copies = array_of_tables(root, "copy");
  top.find("copy");
  if (copies == nullptr || copies->empty()) fail_at(root, file + ": no [[copy]] in the workload");
  std::set<std::string> server_names = names_of(s.nfs_servers);
  server_names.merge(names_of(s.smb_servers));
  read_entries(root, top, "copy", s.copies, [&](Fields& f, const Entry& e) { return read_copy(f, e, s, server_names); });
  check_nvme_copy_has_target(top, s);
  read_faults(root, top, s);
  read_energy_table(top, s);
  top.reject_unknown();
  check_derived_names(s);
  return s;
}

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629), if any.
// TOML files are UTF-8; toml11 3.7.1 reads out of bounds when it reports
// invalid UTF-8 inside a string (found by fuzz/scenario_fuzz.cpp), so such
// text never reaches it.
std::optional<std::size_t> first_invalid_utf8(const std::string& text) {
  auto byte = [&](std::size_t i) { return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u; };
  auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  for (std::size_t i = 0; i < text.size();) {
    unsigned b = byte(i);
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b < 0x80) n = 1;
    else if (in(b, 0xC2, 0xDF)) n = 2;
    else if (b == 0xE0) n = 3, lo = 0xA0;
    else if (in(b, 0xE1, 0xEC) || in(b, 0xEE, 0xEF)) n = 3;
    else if (b == 0xED) n = 3, hi = 0x9F;
    else if (b == 0xF0) n = 4, lo = 0x90;
    else if (in(b, 0xF1, 0xF3)) n = 4;
    else if (b == 0xF4) n = 4, hi = 0x8F;
    else return i;
    if (n > 1 && !in(byte(i + 1), lo, hi)) return i;
    for (std::size_t k = 2; k < n; ++k) {
      if (!in(byte(i + k), 0x80, 0xBF)) return i;
    }
    i += n;
  }
  return std::nullopt;
}

Value parse_toml(std::istream& in, const std::string& name) {
  try {
    return toml::parse(in, name);
  } catch (const toml::syntax_error& e) {
    auto location = e.location();
    throw ScenarioError(name + ":" + std::to_string(location.line()) + ": TOML syntax error\n" + e.what());
  }
}

// Scenario TOML text (checked to be UTF-8 first) as a TOML value.
Value parse_text(const std::string& text, const std::string& name) {
  if (auto bad = first_invalid_utf8(text)) {
    auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    throw ScenarioError(name + ":" + std::to_string(line) + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  std::istringstream in(text);
  return parse_toml(in, name);
}

// Scenario method names beyond the engine's: what each asks the engine for.
struct MethodAlias {
  const char* label;
  MethodChoice choice;
  std::optional<bool> nfs_async;
};
constexpr MethodAlias kMethodAliases[] = {{"xcopy", MethodChoice::scsi_xcopy, std::nullopt},
                                          {"odx", MethodChoice::scsi_odx, std::nullopt},
                                          {"nfs-copy", MethodChoice::kernel_copy, std::nullopt},
                                          {"nfs-copy-sync", MethodChoice::kernel_copy, false},
                                          {"nfs-copy-async", MethodChoice::kernel_copy, true}};

}  // namespace

std::string method_variant_list() {
  std::string list = method_choice_list();
  for (const auto& alias : kMethodAliases) list += std::string(", ") + alias.label;
  return list;
}

std::optional<MethodVariant> parse_method_variant(const std::string& label) {
  for (const auto& alias : kMethodAliases) {
    if (label == alias.label) return MethodVariant{label, alias.choice, alias.nfs_async};
  }
  auto choice = parse_method_choice(label);
  if (!choice) return std::nullopt;
  return MethodVariant{label, *choice, std::nullopt};
}

ScenarioSet load_scenario_text(const std::string& text, const std::string& name) {
  Value root = parse_text(text, name);
  try {
    return expand_sweep(root, name, parse_point);
  } catch (const toml::exception& e) {
    throw ScenarioError(name + ": " + e.what());
  }
}

std::vector<KeyStep> sweep_key_path(const std::string& text, const std::string& name, const std::string& key) {
  Value root = parse_text(text, name);
  if (!root.is_table()) throw ScenarioError(name + ": not a TOML table");
  auto path = key_path(root, key);
  if (!path) throw ScenarioError(name + ": [sweep] key '" + key + "': " + path.error());
  return *path;
}

ScenarioSet load_scenario_file(const std::string& path) {
  std::error_code ec;
  auto type = std::filesystem::status(path, ec).type();
  // A FIFO or a device would block the read or never end: only plain files.
  if (!ec && type != std::filesystem::file_type::regular) throw ScenarioError(path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

}  // namespace offload::sim
