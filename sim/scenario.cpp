#include "sim/scenario.hpp"
#include "sim/scenario_checks.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <toml.hpp>

#include "engine/units.hpp"

namespace offload::sim {
namespace {

using Value = toml::value;

std::string where(const Value& v) {
  auto location = v.location();
  return location.file_name() + ":" + std::to_string(location.line());
}

[[noreturn]] void fail_at(const Value& v, const std::string& what) { throw ScenarioError(where(v) + ": " + what); }

// One TOML table being read: typed getters that name the key on error, and
// a final check that every key was known.
class Fields {
 public:
  Fields(const Value& table, std::string context) : table_(table), context_(std::move(context)) {
    if (!table_.is_table()) fail_at(table_, context_ + " must be a table");
  }

  const Value* find(const std::string& key) {
    known_.insert(key);
    const auto& t = table_.as_table();
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
  }
  const Value& need(const std::string& key) {
    const Value* v = find(key);
    if (v == nullptr) fail_at(table_, context_ + ": missing key '" + key + "'");
    return *v;
  }
  [[noreturn]] void bad(const Value& v, const std::string& key, const std::string& what) {
    fail_at(v, context_ + ": key '" + key + "': " + what);
  }

  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt) {
    const Value* v = fallback ? find(key) : &need(key);
    if (v == nullptr) return *fallback;
    if (!v->is_string()) bad(*v, key, "expected a string");
    return v->as_string().str;
  }
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const Value* v = find(key);
    if (v == nullptr) return fallback;
    if (!v->is_integer()) bad(*v, key, "expected an integer");
    std::int64_t n = v->as_integer();
    if (n < min || n > max) bad(*v, key, std::to_string(n) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    return n;
  }
  bool flag(const std::string& key, bool fallback) {
    const Value* v = find(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) bad(*v, key, "expected true or false");
    return v->as_boolean();
  }
  // A quantity written as a string with a unit (or a bare number in base units).
  // Bare numbers get the checks the unit parsers make: finite, not negative
  // (rates above zero), sizes below 2^64.
  template <typename Parse>
  std::optional<double> quantity(const std::string& key, Parse parse, const char* kind) {
    const Value* v = find(key);
    if (v == nullptr) return std::nullopt;
    double number = 0;
    if (v->is_integer()) {
      number = static_cast<double>(v->as_integer());
    } else if (v->is_floating()) {
      number = v->as_floating();
    } else {
      if (!v->is_string()) bad(*v, key, std::string("expected a ") + kind + " string");
      auto parsed = parse(v->as_string().str);
      if (!parsed) bad(*v, key, parsed.error());
      return static_cast<double>(*parsed);
    }
    if (!std::isfinite(number) || number < 0) bad(*v, key, std::string("a ") + kind + " must be a finite number, not negative");
    return number;
  }
  std::optional<double> size(const std::string& key) {
    auto bytes = quantity(key, parse_size_bytes, "size");
    if (bytes && *bytes > 1.8e19) bad(*find(key), key, "a size must be below 2^64 bytes");
    return bytes;
  }
  std::optional<double> rate(const std::string& key) {
    auto rate = quantity(key, parse_rate_Bps, "rate");
    if (rate && *rate <= 0) bad(*find(key), key, "a rate must be above zero");
    return rate;
  }
  std::optional<double> duration(const std::string& key) { return quantity(key, parse_duration_s, "duration"); }
  std::vector<std::string> texts(const std::string& key) {
    const Value& v = need(key);
    if (!v.is_array()) bad(v, key, "expected an array of strings");
    std::vector<std::string> out;
    for (const Value& item : v.as_array()) {
      if (!item.is_string()) bad(item, key, "expected an array of strings");
      out.push_back(item.as_string().str);
    }
    return out;
  }

  void reject_unknown() {
    for (const auto& [key, value] : table_.as_table()) {
      if (known_.contains(key)) continue;
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      fail_at(value, context_ + ": unknown key '" + key + "' (known: " + list + ")");
    }
  }

 private:
  const Value& table_;
  std::string context_;
  std::set<std::string> known_;
};

DiskSpec read_disk(Fields& parent, const std::string& key, const std::string& context) {
  Fields f(parent.need(key), context + "." + key);
  DiskSpec disk;
  disk.read_Bps = f.rate("read").value_or(0);
  disk.write_Bps = f.rate("write").value_or(0);
  disk.latency_s = f.duration("latency").value_or(0);
  if (disk.read_Bps <= 0 || disk.write_Bps <= 0) parent.bad(parent.need(key), key, "needs read and write rates");
  f.reject_unknown();
  return disk;
}

// The optional `stack = { ... }` table of a host, server or array.
StackSpec read_stack(Fields& parent, const std::string& context) {
  StackSpec stack;
  const Value* v = parent.find("stack");
  if (v == nullptr) return stack;
  Fields f(*v, context + ".stack");
  auto cycles = [&](const std::string& key, double fallback) {
    const Value* n = f.find(key);
    if (n == nullptr) return fallback;
    if (!n->is_floating() && !n->is_integer()) f.bad(*n, key, "expected a number of CPU cycles");
    double value = n->is_floating() ? n->as_floating() : static_cast<double>(n->as_integer());
    if (!std::isfinite(value) || value < 0) f.bad(*n, key, "must be a finite number, not negative");
    return value;
  };
  stack.clock_Hz = cycles("clock_ghz", stack.clock_Hz / 1e9) * 1e9;
  if (!(stack.clock_Hz > 0) || !std::isfinite(stack.clock_Hz)) {
    f.bad(*f.find("clock_ghz"), "clock_ghz", "must be above zero and finite");
  }
  stack.send_cycles_per_byte = cycles("send_cycles_per_byte", stack.send_cycles_per_byte);
  stack.receive_cycles_per_byte = cycles("receive_cycles_per_byte", stack.receive_cycles_per_byte);
  stack.message_cycles = cycles("message_cycles", stack.message_cycles);
  f.reject_unknown();
  return stack;
}

CpuSpec read_cpu(Fields& f, const std::string& context) {
  CpuSpec cpu;
  cpu.cores = static_cast<int>(f.integer("cores", cpu.cores, 1, 4096));
  cpu.memcpy_Bps = f.rate("memcpy_bandwidth").value_or(cpu.memcpy_Bps);
  cpu.per_op_s = f.duration("per_op_cpu").value_or(cpu.per_op_s);
  cpu.stack = read_stack(f, context);
  return cpu;
}

LocalFsSpec read_fs(Fields& parent, const std::string& context, bool default_reflink) {
  LocalFsSpec fs;
  fs.reflink = default_reflink;
  const Value* v = parent.find("fs");
  if (v == nullptr) return fs;
  Fields f(*v, context + ".fs");
  fs.reflink = f.flag("reflink", fs.reflink);
  fs.clone_fixed_s = f.duration("clone_fixed_cpu").value_or(fs.clone_fixed_s);
  fs.clone_per_GiB_s = f.duration("clone_cpu_per_GiB").value_or(fs.clone_per_GiB_s);
  if (auto rate = f.rate("kernel_copy_bandwidth")) {
    if (*rate <= 0) f.bad(*f.find("kernel_copy_bandwidth"), "kernel_copy_bandwidth", "must be above zero");
    fs.kernel_copy_Bps = *rate;
  }
  fs.copy_range_reflinks = f.flag("copy_range_reflinks", fs.copy_range_reflinks);
  if (auto remap = f.duration("remap_fixed_cpu")) {
    if (*remap < 0) f.bad(*f.find("remap_fixed_cpu"), "remap_fixed_cpu", "must not be negative");
    fs.remap_fixed_s = *remap;
  }
  fs.host_copy_start_s = f.duration("host_copy_start").value_or(fs.host_copy_start_s);
  if (fs.host_copy_start_s < 0) f.bad(*f.find("host_copy_start"), "host_copy_start", "must not be negative");
  f.reject_unknown();
  return fs;
}

std::string context_for(const char* section, const Value& item, std::size_t index) {
  std::string name;
  if (item.is_table() && item.as_table().contains("name") && item.as_table().at("name").is_string()) {
    name = " '" + item.as_table().at("name").as_string().str + "'";
  }
  return std::string("[[") + section + "]] #" + std::to_string(index + 1) + name;
}

const toml::array* array_of_tables(const Value& root, const char* key) {
  const auto& t = root.as_table();
  auto it = t.find(key);
  if (it == t.end()) return nullptr;
  if (!it->second.is_array()) fail_at(it->second, std::string("'") + key + "' must be an array of tables ([[" + key + "]])");
  return &it->second.as_array();
}

void read_faults(const Value& root, Fields& top, Scenario& s);

Scenario parse_point(const Value& root, const std::string& file) {
  Scenario s;
  s.file = file;
  Fields top(root, "top level");
  {
    Fields f(top.need("scenario"), "[scenario]");
    s.name = f.text("name");
    s.description = f.text("description", "");
    s.seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, INT64_MAX));
    s.network_model = f.text("network_model", "LV08");
    if (s.network_model != "LV08" && s.network_model != "CM02") {
      f.bad(*f.find("network_model"), "network_model", "'" + s.network_model + "' is not LV08 or CM02");
    }
    for (const std::string& m : f.texts("methods")) {
      auto variant = parse_method_variant(m);
      if (!variant) f.bad(f.need("methods"), "methods", "unknown method '" + m + "' (host, clone, kernel-copy, scsi-xcopy or xcopy, scsi-odx or odx, auto, nfs-copy, nfs-copy-sync, nfs-copy-async)");
      if (variant->choice == MethodChoice::nvme_copy) {
        f.bad(f.need("methods"), "methods", "'nvme-copy' runs on real NVMe namespaces only (`offload cp`): the simulator has no NVMe target yet");
      }
      s.methods.push_back(*variant);
    }
    if (s.methods.empty()) f.bad(f.need("methods"), "methods", "lists no method");
    f.reject_unknown();
  }
  if (const Value* engine = top.find("engine")) {
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
  top.find("sweep");
  std::set<std::string> names;
  auto claim = [&](Fields& f, const Value& at, const std::string& name) {
    if (!names.insert(name).second) f.bad(at, "name", "'" + name + "' is declared twice");
  };
  if (const auto* hosts = array_of_tables(root, "host")) {
    top.find("host");
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      std::string context = context_for("host", (*hosts)[i], i);
      Fields f((*hosts)[i], context);
      HostSpec h;
      h.line = static_cast<int>((*hosts)[i].location().line());
      h.name = f.text("name");
      claim(f, f.need("name"), h.name);
      h.count = static_cast<int>(f.integer("count", 1, 1, 100000));
      h.cpu = read_cpu(f, context);
      if (const Value* speed = f.find("core_speed")) {
        if (!speed->is_floating() && !speed->is_integer()) f.bad(*speed, "core_speed", "expected a number (1 = a whole core)");
        h.cpu.core_speed = speed->is_floating() ? speed->as_floating() : static_cast<double>(speed->as_integer());
        if (!(h.cpu.core_speed > 0) || h.cpu.core_speed > 1000) f.bad(*speed, "core_speed", "must be in (0, 1000]");
      }
      h.nic_Bps = f.rate("nic");
      if (f.find("disk") != nullptr) h.disk = read_disk(f, "disk", context);
      h.fs = read_fs(f, context, true);
      f.reject_unknown();
      s.hosts.push_back(h);
    }
  }
  if (const auto* servers = array_of_tables(root, "nfs_server")) {
    top.find("nfs_server");
    for (std::size_t i = 0; i < servers->size(); ++i) {
      std::string context = context_for("nfs_server", (*servers)[i], i);
      Fields f((*servers)[i], context);
      NfsServerSpec n;
      n.line = static_cast<int>((*servers)[i].location().line());
      n.name = f.text("name");
      claim(f, f.need("name"), n.name);
      n.cpu = read_cpu(f, context);
      n.nic_Bps = f.rate("nic");
      n.disk = read_disk(f, "disk", context);
      n.fs = read_fs(f, context, true);
      n.store_and_forward = f.flag("store_and_forward", n.store_and_forward);
      if (const Value* copy = f.find("copy")) {
        Fields c(*copy, context + ".copy");
        n.copy.sync_cap_bytes = c.size("sync_cap").value_or(n.copy.sync_cap_bytes);
        n.copy.async = c.flag("async", n.copy.async);
        n.copy.max_async = static_cast<int>(c.integer("max_async", n.copy.max_async, 0, 100000));
        n.copy.poll_interval_s = c.duration("poll_interval").value_or(n.copy.poll_interval_s);
        n.copy.callback = c.flag("callback", n.copy.callback);
        n.copy.clone = c.flag("clone", n.copy.clone);
        if (auto rpc = c.size("rpc_size")) n.copy.rpc_bytes = *rpc;
        if (n.copy.sync_cap_bytes <= 0) c.bad(*copy, "sync_cap", "must be above zero");
        if (n.copy.poll_interval_s <= 0) c.bad(*copy, "poll_interval", "must be above zero");
        c.reject_unknown();
      }
      f.reject_unknown();
      s.nfs_servers.push_back(n);
    }
  }
  if (const auto* servers = array_of_tables(root, "smb_server")) {
    top.find("smb_server");
    for (std::size_t i = 0; i < servers->size(); ++i) {
      std::string context = context_for("smb_server", (*servers)[i], i);
      Fields f((*servers)[i], context);
      SmbServerSpec n;
      n.line = static_cast<int>((*servers)[i].location().line());
      n.name = f.text("name");
      claim(f, f.need("name"), n.name);
      n.cpu = read_cpu(f, context);
      n.nic_Bps = f.rate("nic");
      n.disk = read_disk(f, "disk", context);
      n.fs = read_fs(f, context, true);
      if (const Value* copy = f.find("copy")) {
        Fields c(*copy, context + ".copy");
        SmbCopySpec& k = n.copy;
        k.max_chunks = static_cast<int>(c.integer("max_chunks", k.max_chunks, 1, 65535));
        k.client_chunks = static_cast<int>(c.integer("client_chunks", k.client_chunks, 1, 65535));
        k.max_credits = static_cast<int>(c.integer("max_credits", k.max_credits, 1, 65535));
        k.duplicate_extents = c.flag("duplicate_extents", k.duplicate_extents);
        k.request_cpu_s = c.duration("request_cpu").value_or(k.request_cpu_s);
        for (auto [key, field] : {std::pair{"max_chunk", &k.max_chunk_bytes}, {"max_request", &k.max_request_bytes},
                                  {"client_chunk", &k.client_chunk_bytes}, {"max_read", &k.max_read_bytes},
                                  {"max_write", &k.max_write_bytes}}) {
          *field = c.size(key).value_or(*field);
          // SMB2 carries these lengths in 32-bit fields (MS-SMB2 2.2.31.1.1, 2.2.19, 2.2.21).
          if (*field < 1 || *field > 4294967295.0) c.bad(*c.find(key), key, "must be 1 byte to 4 GiB - 1");
        }
        if (k.request_cpu_s < 0) c.bad(*c.find("request_cpu"), "request_cpu", "must not be negative");
        c.reject_unknown();
      }
      // A request of L bytes costs ceil(L / 64 KiB) credits (MS-SMB2 3.1.5.2);
      // the model does not queue on credits, so they must not bind.
      double per_read = std::min<double>(static_cast<double>(s.engine.host_chunk_bytes), n.copy.max_read_bytes);
      double needed = s.engine.queue_depth * std::ceil(per_read / 65536.0) * 2;  // reads and writes in flight
      if (needed > n.copy.max_credits) {
        f.bad(f.need("name"), "copy.max_credits",
              std::to_string(n.copy.max_credits) + " credits cannot carry the engine's queue_depth of " +
                  std::to_string(s.engine.queue_depth) + " host chunks in flight (" + std::to_string(static_cast<long>(needed)) +
                  " needed); the model does not queue on credits");
      }
      f.reject_unknown();
      s.smb_servers.push_back(n);
    }
  }
  if (const auto* arrays = array_of_tables(root, "scsi_array")) {
    top.find("scsi_array");
    for (std::size_t i = 0; i < arrays->size(); ++i) {
      std::string context = context_for("scsi_array", (*arrays)[i], i);
      Fields f((*arrays)[i], context);
      ScsiArraySpec a;
      a.line = static_cast<int>((*arrays)[i].location().line());
      a.name = f.text("name");
      claim(f, f.need("name"), a.name);
      a.cpu = read_cpu(f, context);
      a.port_Bps = f.rate("port");
      a.disk = read_disk(f, "disk", context);
      a.block_bytes = f.size("block_size").value_or(a.block_bytes);
      if (a.block_bytes < 512 || a.block_bytes > 65536 || std::fmod(a.block_bytes, 512) != 0) {
        f.bad(f.need("block_size"), "block_size", "must be a multiple of 512 bytes, at most 64KiB");
      }
      if (const Value* copy = f.find("copy")) {
        Fields c(*copy, context + ".copy");
        a.copy.xcopy = c.flag("xcopy", a.copy.xcopy);
        a.copy.odx = c.flag("odx", a.copy.odx);
        a.copy.max_segment_bytes = c.size("max_segment").value_or(a.copy.max_segment_bytes);
        a.copy.max_concurrent = static_cast<int>(c.integer("max_concurrent", a.copy.max_concurrent, 1, 255));
        a.copy.max_segment_descriptors =
            static_cast<int>(c.integer("max_segment_descriptors", a.copy.max_segment_descriptors, 1, 1024));
        a.copy.command_cpu_s = c.duration("command_cpu").value_or(a.copy.command_cpu_s);
        a.copy.max_token_bytes = c.size("max_token").value_or(a.copy.max_token_bytes);
        a.copy.token_timeout_s = c.duration("token_timeout").value_or(a.copy.token_timeout_s);
        a.copy.populate_cpu_s = c.duration("populate_cpu").value_or(a.copy.populate_cpu_s);
        a.copy.poll_interval_s = c.duration("poll_interval").value_or(a.copy.poll_interval_s);
        a.copy.command_bytes = c.size("command_size").value_or(a.copy.command_bytes);
        if (a.copy.max_segment_bytes < a.block_bytes || a.copy.max_segment_bytes > 4294967295.0) {
          c.bad(*copy, "max_segment", "must be at least one logical block and fit in 32 bits (MAXIMUM SEGMENT LENGTH)");
        }
        if (a.copy.max_token_bytes < 512) c.bad(*copy, "max_token", "must be at least one 512-byte block");
        if (a.copy.poll_interval_s <= 0) c.bad(*copy, "poll_interval", "must be above zero");
        c.reject_unknown();
      }
      f.reject_unknown();
      s.scsi_arrays.push_back(a);
    }
  }
  if (const auto* links = array_of_tables(root, "link")) {
    top.find("link");
    for (std::size_t i = 0; i < links->size(); ++i) {
      Fields f((*links)[i], context_for("link", (*links)[i], i));
      LinkSpec l;
      l.line = static_cast<int>((*links)[i].location().line());
      l.name = f.text("name");
      l.bandwidth_Bps = f.rate("bandwidth").value_or(0);
      if (l.bandwidth_Bps <= 0) f.need("bandwidth");
      l.latency_s = f.duration("latency").value_or(0);
      l.between = f.texts("between");
      if (l.between.size() != 2) f.bad(f.need("between"), "between", "must name exactly two hosts, groups or servers");
      for (const auto& end : l.between) {
        if (!names.contains(end)) f.bad(f.need("between"), "between", "'" + end + "' is not a declared host or server");
      }
      f.reject_unknown();
      s.links.push_back(l);
    }
  }
  const auto* copies = array_of_tables(root, "copy");
  top.find("copy");
  if (copies == nullptr || copies->empty()) fail_at(root, file + ": no [[copy]] in the workload");
  std::set<std::string> server_names, array_names;
  for (const auto& n : s.nfs_servers) server_names.insert(n.name);
  for (const auto& n : s.smb_servers) server_names.insert(n.name);
  for (const auto& a : s.scsi_arrays) array_names.insert(a.name);
  for (std::size_t i = 0; i < copies->size(); ++i) {
    Fields f((*copies)[i], context_for("copy", (*copies)[i], i));
    CopySpec c;
    c.line = static_cast<int>((*copies)[i].location().line());
    c.on = f.text("on");
    const HostSpec* host = nullptr;
    for (const auto& h : s.hosts) if (h.name == c.on) host = &h;
    if (host == nullptr) f.bad(f.need("on"), "on", "'" + c.on + "' is not a declared [[host]]");
    for (const char* key : {"from", "to"}) {
      std::string endpoint = f.text(key);
      auto colon = endpoint.find(':');
      std::string server = colon == std::string::npos ? "" : endpoint.substr(0, colon);
      if (colon == std::string::npos || endpoint.size() == colon + 1) {
        f.bad(f.need(key), key, "'" + endpoint + "' is not SERVER:/path, local:/path or ARRAY:lunN");
      }
      if (server == "local" && !host->disk) f.bad(f.need(key), key, "host '" + c.on + "' has no disk for local:");
      if (array_names.contains(server) && !endpoint.substr(colon + 1).starts_with("lun")) {
        f.bad(f.need(key), key, "'" + endpoint + "' should name a LUN, e.g. " + server + ":lun0");
      }
      if (server != "local" && !server_names.contains(server) && !array_names.contains(server)) {
        f.bad(f.need(key), key, "'" + server + "' is not a declared [[nfs_server]] or [[scsi_array]]");
      }
      (std::string(key) == "from" ? c.from : c.to) = endpoint;
    }
    if (c.from == c.to) f.bad(f.need("to"), "to", "copies a file onto itself");
    auto on_array = [&](const std::string& endpoint) { return array_names.contains(endpoint.substr(0, endpoint.find(':'))); };
    if (on_array(c.from) != on_array(c.to)) f.bad(f.need("to"), "to", "copies between a LUN and a file are not modelled");
    c.size_bytes = f.size("size").value_or(-1);
    if (c.size_bytes <= 0) f.bad(f.need("size"), "size", "must be above zero");
    c.count = static_cast<int>(f.integer("count", 1, 1, 10'000'000));
    c.concurrency = static_cast<int>(f.integer("concurrency", 1, 1, 1'000'000));
    c.start_s = f.duration("start").value_or(0);
    c.start_jitter_s = f.duration("start_jitter").value_or(0);
    c.cancel_after_s = f.duration("cancel_after");
    f.reject_unknown();
    s.copies.push_back(c);
  }
  read_faults(root, top, s);
  top.reject_unknown();
  check_derived_names(s);
  return s;
}

// The [[fault]] entries: each kind names its target and takes only its own keys.
void read_faults(const Value& root, Fields& top, Scenario& s) {
  const auto* faults = array_of_tables(root, "fault");
  top.find("fault");
  if (faults == nullptr) return;
  auto names_of = [](const auto& items) {
    std::set<std::string> out;
    for (const auto& item : items) out.insert(item.name);
    return out;
  };
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
  for (std::size_t i = 0; i < faults->size(); ++i) {
    Fields f((*faults)[i], context_for("fault", (*faults)[i], i));
    FaultSpec fault;
    fault.line = static_cast<int>((*faults)[i].location().line());
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
    f.reject_unknown();
    s.faults.push_back(fault);
  }
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const FaultSpec& a, const FaultSpec& b) { return a.at_s < b.at_s; });
}

// Finds the value a sweep key names ("link.lan.bandwidth", "copy.1.size",
// "nfs_server.filer.disk.read", "engine.queue_depth") and replaces it.
void apply_sweep_value(Value& root, const std::string& key, const Value& value, const Value& at) {
  std::vector<std::string> parts;
  std::stringstream stream(key);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  auto bad = [&](const std::string& what) { fail_at(at, "[sweep] key '" + key + "': " + what); };
  if (parts.size() < 2) bad("expected SECTION.NAME.FIELD or SECTION.FIELD");
  Value* node = nullptr;
  std::size_t next = 1;
  auto& top = root.as_table();
  if (!top.contains(parts[0])) bad("no section '" + parts[0] + "' in the scenario");
  Value& section = top.at(parts[0]);
  if (section.is_array()) {
    auto& items = section.as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto& t = items[i].as_table();
      bool by_name = t.contains("name") && t.at("name").is_string() && t.at("name").as_string().str == parts[1];
      if (by_name || std::to_string(i + 1) == parts[1]) node = &items[i];
    }
    if (node == nullptr) bad("no " + parts[0] + " named (or numbered) '" + parts[1] + "'");
    next = 2;
  } else {
    node = &section;
  }
  if (next >= parts.size()) bad("names no field");
  for (; next + 1 < parts.size(); ++next) {
    if (!node->is_table() || !node->as_table().contains(parts[next])) bad("no table '" + parts[next] + "'");
    node = &node->as_table().at(parts[next]);
  }
  if (!node->is_table()) bad("'" + parts[next - 1] + "' is not a table");
  node->as_table()[parts.back()] = value;
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

ScenarioSet expand(const Value& root, const std::string& file) {
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

}  // namespace

std::optional<MethodVariant> parse_method_variant(const std::string& label) {
  if (label == "nfs-copy") return MethodVariant{label, MethodChoice::kernel_copy, std::nullopt};
  if (label == "xcopy") return MethodVariant{label, MethodChoice::scsi_xcopy, std::nullopt};
  if (label == "odx") return MethodVariant{label, MethodChoice::scsi_odx, std::nullopt};
  if (label == "nfs-copy-sync") return MethodVariant{label, MethodChoice::kernel_copy, false};
  if (label == "nfs-copy-async") return MethodVariant{label, MethodChoice::kernel_copy, true};
  auto choice = parse_method_choice(label);
  if (!choice) return std::nullopt;
  return MethodVariant{label, *choice, std::nullopt};
}

ScenarioSet load_scenario_text(const std::string& text, const std::string& name) {
  if (auto bad = first_invalid_utf8(text)) {
    auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n');
    throw ScenarioError(name + ":" + std::to_string(line) + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  std::istringstream in(text);
  Value root = parse_toml(in, name);
  try {
    return expand(root, name);
  } catch (const toml::exception& e) {
    throw ScenarioError(name + ": " + e.what());
  }
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
