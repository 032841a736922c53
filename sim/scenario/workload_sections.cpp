#include "sim/scenario/sections.hpp"

#include <algorithm>

namespace offload::sim::scenario_toml {

namespace {

// "nsN" with N a namespace identifier (1 to FFFFFFFEh).
bool names_namespace(const std::string& text) {
  if (text.size() < 3 || text.size() > 12 || !text.starts_with("ns")) return false;
  if (!std::all_of(text.begin() + 2, text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return false;
  auto nsid = std::stoull(text.substr(2));
  return nsid >= 1 && nsid <= 0xFFFFFFFEULL;
}

}  // namespace

CopySpec read_copy(Fields& f, const Entry& entry, const Scenario& s, const std::set<std::string>& server_names) {
  const std::set<std::string> array_names = names_of(s.scsi_arrays), target_names = names_of(s.nvme_targets);
  CopySpec c;
  c.line = entry.line;
  c.on = f.text("on");
  const HostSpec* host = nullptr;
  for (const auto& h : s.hosts) if (h.name == c.on) host = &h;
  if (host == nullptr) f.bad(f.need("on"), "on", "'" + c.on + "' is not a declared [[host]]");
  for (const char* key : {"from", "to"}) {
    std::string endpoint = f.text(key);
    auto colon = endpoint.find(':');
    std::string server = colon == std::string::npos ? "" : endpoint.substr(0, colon);
    if (colon == std::string::npos || endpoint.size() == colon + 1) {
      f.bad(f.need(key), key, "'" + endpoint + "' is not SERVER:/path, local:/path, ARRAY:lunN or TARGET:nsN");
    }
    if (server == "local" && !host->disk) f.bad(f.need(key), key, "host '" + c.on + "' has no disk for local:");
    if (array_names.contains(server) && !endpoint.substr(colon + 1).starts_with("lun")) {
      f.bad(f.need(key), key, "'" + endpoint + "' should name a LUN, e.g. " + server + ":lun0");
    }
    if (target_names.contains(server) && !names_namespace(endpoint.substr(colon + 1))) {
      f.bad(f.need(key), key, "'" + endpoint + "' should name a namespace (1 to 4294967294), e.g. " + server + ":ns1");
    }
    if (server != "local" && !server_names.contains(server) && !array_names.contains(server) && !target_names.contains(server)) {
      f.bad(f.need(key), key, "'" + server + "' is not a declared [[nfs_server]], [[smb_server]], [[scsi_array]] or [[nvme_target]]");
    }
    (std::string(key) == "from" ? c.from : c.to) = endpoint;
  }
  auto kind = [&](const std::string& endpoint) -> std::string {
    std::string box = endpoint.substr(0, endpoint.find(':'));
    return array_names.contains(box) ? "LUN" : target_names.contains(box) ? "namespace" : "file";
  };
  // One namespace is both ends of an NVMe Copy: the simulator puts the
  // destination range right after the source range.
  if (c.from == c.to && kind(c.from) != "namespace") f.bad(f.need("to"), "to", "copies a " + kind(c.from) + " onto itself");
  if (kind(c.from) != kind(c.to)) {
    f.bad(f.need("to"), "to", "copies between a " + kind(c.from) + " and a " + kind(c.to) + " are not modelled");
  }
  c.size_bytes = f.size("size").value_or(-1);
  if (c.size_bytes <= 0) f.bad(f.need("size"), "size", "must be above zero");
  c.count = static_cast<int>(f.integer("count", 1, 1, 10'000'000));
  c.concurrency = static_cast<int>(f.integer("concurrency", 1, 1, 1'000'000));
  c.start_s = f.duration("start").value_or(0);
  c.start_jitter_s = f.duration("start_jitter").value_or(0);
  c.cancel_after_s = f.duration("cancel_after");
  return c;
}

// The [[fault]] entries: each kind names its target and takes only its own keys.
void read_faults(const Value& root, Fields& top, Scenario& s) {
  top.find("fault");
  const std::set<std::string> links = names_of(s.links), servers = names_of(s.nfs_servers), arrays = names_of(s.scsi_arrays);
  struct Kind {
    const char* name;
    FaultKind kind;
    const char* target_key;  // "link", "server" or "array"
    const char* section;     // where the target is declared
    bool timed;              // takes a duration
  };
  static const Kind kinds[] = {{"link_down", FaultKind::link_down, "link", "[[link]]", true},
                               {"nfs_server_restart", FaultKind::nfs_server_restart, "server", "[[nfs_server]]", true},
                               {"cb_offload_lost", FaultKind::cb_offload_lost, "server", "[[nfs_server]]", false},
                               {"odx_token_expire", FaultKind::odx_token_expire, "array", "[[scsi_array]]", false},
                               {"xcopy_segment_fail", FaultKind::xcopy_segment_fail, "array", "[[scsi_array]]", false},
                               {"unit_attention", FaultKind::unit_attention, "array", "[[scsi_array]]", false}};
  read_entries(root, top, "fault", s.faults, [&](Fields& f, const Entry& entry) {
    FaultSpec fault;
    fault.line = entry.line;
    fault.kind_name = f.text("kind");
    const Kind* kind = nullptr;
    for (const Kind& k : kinds) if (fault.kind_name == k.name) kind = &k;
    if (kind == nullptr) {
      f.bad(f.need("kind"), "kind", "unknown fault kind '" + fault.kind_name +
                                        "' (link_down, nfs_server_restart, cb_offload_lost, odx_token_expire, xcopy_segment_fail, unit_attention)");
    }
    fault.kind = kind->kind;
    fault.target = f.text(kind->target_key);
    const std::string key = kind->target_key;
    const auto& known = key == "link" ? links : key == "server" ? servers : arrays;
    if (!known.contains(fault.target)) f.bad(f.need(key), key, "'" + fault.target + "' is not a declared " + kind->section);
    bool at_optional = fault.kind == FaultKind::cb_offload_lost;  // default: from the start
    auto at = f.duration("at");
    if (!at && !at_optional) f.need("at");
    fault.at_s = at.value_or(0);
    if (fault.at_s < 0) f.bad(f.need("at"), "at", "must not be negative");
    if (kind->timed) {
      fault.duration_s = f.duration("duration").value_or(-1);
      if (fault.duration_s <= 0) f.bad(f.need("duration"), "duration", "must be above zero");
    }
    if (fault.kind == FaultKind::cb_offload_lost) fault.count = static_cast<int>(f.integer("count", 1, 1, 1'000'000));
    return fault;
  });
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const FaultSpec& a, const FaultSpec& b) { return a.at_s < b.at_s; });
}

}  // namespace offload::sim::scenario_toml
