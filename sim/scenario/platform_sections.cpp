#include "sim/scenario/sections.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace offload::sim::scenario_toml {
namespace {

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
  if (const Value* share = f.find("write_share")) {
    if (!share->is_floating()) f.bad(*share, "write_share", "expected a number between 0 and 1 (exclusive)");
    fs.write_share = share->as_floating();
    if (!(fs.write_share > 0 && fs.write_share < 1)) f.bad(*share, "write_share", "must lie between 0 and 1 (exclusive)");
  }
  f.reject_unknown();
  return fs;
}

void claim(DeclaredNames& names, Fields& f, const Value& at, const std::string& name) {
  if (!names.insert(name).second) f.bad(at, "name", "'" + name + "' is declared twice");
}

}  // namespace

HostSpec read_host(Fields& f, const Entry& entry, DeclaredNames& names) {
  const std::string& context = entry.context;
  HostSpec h;
  h.line = entry.line;
  h.name = f.text("name");
  claim(names, f, f.need("name"), h.name);
  h.count = static_cast<int>(f.integer("count", 1, 1, 100000));
  h.cpu = read_cpu(f, context);
  if (auto fault = f.rate("buffer_fault_bandwidth")) {  // engine hosts only: their host buffers
    if (!(*fault > 0)) f.bad(*f.find("buffer_fault_bandwidth"), "buffer_fault_bandwidth", "must be above zero");
    h.cpu.buffer_fault_Bps = *fault;
  }
  if (const Value* speed = f.find("core_speed")) {
    if (!speed->is_floating() && !speed->is_integer()) f.bad(*speed, "core_speed", "expected a number (1 = a whole core)");
    h.cpu.core_speed = speed->is_floating() ? speed->as_floating() : static_cast<double>(speed->as_integer());
    if (!(h.cpu.core_speed > 0) || h.cpu.core_speed > 1000) f.bad(*speed, "core_speed", "must be in (0, 1000]");
  }
  h.nic_Bps = f.rate("nic");
  if (f.find("disk") != nullptr) h.disk = read_disk(f, "disk", context);
  h.fs = read_fs(f, context, true);
  return h;
}

// The keys a file server's entry shares (NFS, SMB): its name (claimed),
// CPU, NIC, disk and exported filesystem.
template <typename Server>
Server read_file_server(Fields& f, const Entry& entry, DeclaredNames& names) {
  Server n;
  n.line = entry.line;
  n.name = f.text("name");
  claim(names, f, f.need("name"), n.name);
  n.cpu = read_cpu(f, entry.context);
  n.nic_Bps = f.rate("nic");
  n.disk = read_disk(f, "disk", entry.context);
  n.fs = read_fs(f, entry.context, true);
  return n;
}

NfsServerSpec read_nfs_server(Fields& f, const Entry& entry, DeclaredNames& names) {
  const std::string& context = entry.context;
  auto n = read_file_server<NfsServerSpec>(f, entry, names);
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
  return n;
}

SmbServerSpec read_smb_server(Fields& f, const Entry& entry, DeclaredNames& names, const EngineConfig& engine) {
  const std::string& context = entry.context;
  auto n = read_file_server<SmbServerSpec>(f, entry, names);
  if (const Value* copy = f.find("copy")) {
    Fields c(*copy, context + ".copy");
    SmbCopySpec& k = n.copy;
    k.max_chunks = static_cast<int>(c.integer("max_chunks", k.max_chunks, 1, 65535));
    k.client_chunks = static_cast<int>(c.integer("client_chunks", k.client_chunks, 1, 65535));
    k.metadata_exchanges = static_cast<int>(c.integer("metadata_exchanges", k.metadata_exchanges, 0, 100000));
    k.metadata_round_trips = static_cast<int>(c.integer("metadata_round_trips", k.metadata_round_trips, 0, 100000));
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
  double per_read = std::min<double>(static_cast<double>(engine.host_chunk_bytes), n.copy.max_read_bytes);
  double needed = engine.queue_depth * std::ceil(per_read / 65536.0) * 2;  // reads and writes in flight
  if (needed > n.copy.max_credits) {
    f.bad(f.need("name"), "copy.max_credits",
          std::to_string(n.copy.max_credits) + " credits cannot carry the engine's queue_depth of " +
              std::to_string(engine.queue_depth) + " host chunks in flight (" + std::to_string(static_cast<long>(needed)) +
              " needed); the model does not queue on credits");
  }
  return n;
}

ScsiArraySpec read_scsi_array(Fields& f, const Entry& entry, DeclaredNames& names) {
  const std::string& context = entry.context;
  ScsiArraySpec a;
  a.line = entry.line;
  a.name = f.text("name");
  claim(names, f, f.need("name"), a.name);
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
  return a;
}

NvmeTargetSpec read_nvme_target(Fields& f, const Entry& entry, DeclaredNames& names) {
  const std::string& context = entry.context;
  NvmeTargetSpec t;
  t.line = entry.line;
  t.name = f.text("name");
  claim(names, f, f.need("name"), t.name);
  t.cpu = read_cpu(f, context);
  t.port_Bps = f.rate("port");
  t.flash = read_disk(f, "flash", context);
  t.block_bytes = f.size("block_size").value_or(t.block_bytes);
  auto block = static_cast<std::uint64_t>(t.block_bytes);
  if (t.block_bytes != static_cast<double>(block) || block < 512 || block > 65536 || !std::has_single_bit(block)) {
    f.bad(f.need("block_size"), "block_size", "must be a power of two from 512 bytes to 64KiB (LBADS)");
  }
  if (const Value* copy = f.find("copy")) {
    Fields c(*copy, context + ".copy");
    NvmeCopySpec& k = t.copy;
    k.copy = c.flag("copy", k.copy);
    k.mssrl = static_cast<int>(c.integer("mssrl", k.mssrl, 1, 65535));  // 16-bit field; 0 would disable Copy
    k.mcl = c.integer("mcl", k.mcl, 1, 4294967295);                      // 32-bit field
    k.msrc = static_cast<int>(c.integer("msrc", k.msrc, 0, 255));        // 8-bit, 0's based
    k.mdts = static_cast<int>(c.integer("mdts", k.mdts, 0, 20));         // 2^20 x 4 KiB = 4 GiB
    c.reject_unknown();
  }
  if (const Value* fabric = f.find("fabric")) {
    Fields c(*fabric, context + ".fabric");
    NvmeFabricSpec& k = t.fabric;
    k.queues = static_cast<int>(c.integer("queues", k.queues, 1, 65535));
    k.queue_depth = static_cast<int>(c.integer("queue_depth", k.queue_depth, 1, 65536));
    for (auto [key, field] : {std::pair{"command_size", &k.command_bytes}, {"response_size", &k.response_bytes},
                              {"data_header_size", &k.data_header_bytes}, {"in_capsule", &k.in_capsule_bytes}}) {
      *field = c.size(key).value_or(*field);
    }
    c.reject_unknown();
  }
  return t;
}

LinkSpec read_link(Fields& f, const Entry& entry, const DeclaredNames& names) {
  LinkSpec l;
  l.line = entry.line;
  l.name = f.text("name");
  l.bandwidth_Bps = f.rate("bandwidth").value_or(0);
  if (l.bandwidth_Bps <= 0) f.need("bandwidth");
  l.latency_s = f.duration("latency").value_or(0);
  l.between = f.texts("between");
  if (l.between.size() != 2) f.bad(f.need("between"), "between", "must name exactly two hosts, groups or servers");
  for (const auto& end : l.between) {
    if (!names.contains(end)) f.bad(f.need("between"), "between", "'" + end + "' is not a declared host or server");
  }
  return l;
}

}  // namespace offload::sim::scenario_toml
