// libFuzzer target: the scenario loader (sim/scenario/scenario.hpp, toml11 inside) on
// arbitrary text. A bad file must end in a ScenarioError (never another
// exception, a crash or a hang); a file that loads must hold only values the
// simulator can use: finite positive sizes and rates, non-negative times,
// at least one method and one copy per point.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports the input that broke the invariant
}

bool positive(double x) { return std::isfinite(x) && x > 0; }
bool non_negative(double x) { return std::isfinite(x) && x >= 0; }

void check_cpu(const offload::sim::CpuSpec& cpu) {
  require(cpu.cores >= 1 && positive(cpu.memcpy_Bps) && non_negative(cpu.per_op_s));
  require(positive(cpu.stack.clock_Hz) && non_negative(cpu.stack.send_cycles_per_byte) &&
          non_negative(cpu.stack.receive_cycles_per_byte) && non_negative(cpu.stack.message_cycles));
}

void check_disk(const offload::sim::DiskSpec& disk) {
  require(positive(disk.read_Bps) && positive(disk.write_Bps) && non_negative(disk.latency_s));
}

void check_point(const offload::sim::Scenario& s) {
  require(!s.methods.empty() && !s.copies.empty());
  require(s.engine.queue_depth >= 1 && s.engine.host_chunk_bytes > 0 && s.engine.kernel_copy_chunk_bytes > 0 &&
          s.engine.clone_chunk_bytes > 0 && s.engine.device_chunk_bytes > 0);
  for (const auto& h : s.hosts) {
    check_cpu(h.cpu);
    if (h.nic_Bps) require(positive(*h.nic_Bps));
    if (h.disk) check_disk(*h.disk);
    require(non_negative(h.fs.clone_fixed_s) && non_negative(h.fs.clone_per_GiB_s));
  }
  for (const auto& n : s.nfs_servers) {
    check_cpu(n.cpu);
    check_disk(n.disk);
    if (n.nic_Bps) require(positive(*n.nic_Bps));
    require(positive(n.copy.sync_cap_bytes) && positive(n.copy.poll_interval_s) );
    if (n.copy.rpc_bytes) require(non_negative(*n.copy.rpc_bytes));
  }
  for (const auto& a : s.scsi_arrays) {
    check_cpu(a.cpu);
    check_disk(a.disk);
    if (a.port_Bps) require(positive(*a.port_Bps));
    require(positive(a.copy.max_segment_bytes) && positive(a.copy.max_token_bytes) &&
            positive(a.copy.poll_interval_s) && non_negative(a.copy.command_cpu_s) &&
            non_negative(a.copy.token_timeout_s) && non_negative(a.copy.populate_cpu_s) &&
            non_negative(a.copy.command_bytes));
  }
  for (const auto& t : s.nvme_targets) {
    check_cpu(t.cpu);
    check_disk(t.flash);
    if (t.port_Bps) require(positive(*t.port_Bps));
    const auto block = static_cast<std::uint64_t>(t.block_bytes);
    require(block >= 512 && block <= 65536 && (block & (block - 1)) == 0);
    require(t.copy.mssrl >= 1 && t.copy.mssrl <= 65535 && t.copy.mcl >= 1 && t.copy.mcl <= 4294967295LL &&
            t.copy.msrc >= 0 && t.copy.msrc <= 255 && t.copy.mdts >= 0 && t.copy.mdts <= 20);
    require(t.fabric.queues >= 1 && t.fabric.queue_depth >= 1 && non_negative(t.fabric.command_bytes) &&
            non_negative(t.fabric.response_bytes) && non_negative(t.fabric.data_header_bytes) &&
            non_negative(t.fabric.in_capsule_bytes));
  }
  for (const auto& l : s.links) require(positive(l.bandwidth_Bps) && non_negative(l.latency_s) && l.between.size() == 2);
  for (const auto& c : s.copies) {
    require(positive(c.size_bytes) && c.count >= 1 && c.concurrency >= 1);
    require(non_negative(c.start_s) && non_negative(c.start_jitter_s));
    if (c.cancel_after_s) require(non_negative(*c.cancel_after_s));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto set = offload::sim::load_scenario_text(text, "fuzz.toml");
    require(!set.points.empty());
    for (const auto& point : set.points) check_point(point);
  } catch (const offload::sim::ScenarioError& e) {
    require(std::string(e.what()).starts_with("fuzz.toml"));  // every message names the file
  }
  return 0;
}
