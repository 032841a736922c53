// The simulated NVMe-oF controller as an NvmeTransport: the sim's
// counterpart of engine/targets/nvme_ioctl_transport.hpp (Linux
// passthrough), and all the simulator replaces on the NVMe path (with the
// clock). The engine's own NvmeNamespaceFactory and NvmeNamespaceTarget
// (Identify, the Copy plan cut by MSSRL/MCL/MSRC, status to errno,
// fallbacks) run on top of it unchanged: admin() and io() hand the
// submission queue entry and Copy's Source Range Entries to
// models::NvmeController, which charges the fabric, the target CPU and the
// flash and blocks the calling actor for that simulated time; the status
// and Identify data come back as real bytes. Read/Write data is modelled by
// size only (carries_data() is false).
#pragma once

#include <cstdint>
#include <string>

#include <simgrid/s4u.hpp>

#include "engine/targets/nvme_transport.hpp"
#include "models/cpu.hpp"
#include "models/nvme_controller.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// One namespace of a simulated controller, reached from one simulated host.
class NvmeControllerTransport final : public NvmeTransport {
 public:
  /// `address` is "TARGET:nsN"; `nsid` is N; commands run from `initiator`,
  /// whose CPU pays the host side of each Read and Write.
  NvmeControllerTransport(models::NvmeController& controller, std::string address, std::uint32_t nsid,
                          sg4::Host* initiator, models::CpuModel& initiator_cpu);
  std::string address() const override { return address_; }
  /// "sim".
  std::string kind() const override { return "sim"; }
  std::uint32_t namespace_id() const override { return nsid_; }
  /// False: Read/Write sizes come from the command, no bytes are carried.
  bool carries_data() const override { return false; }
  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override;
  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override;
  /// Initiator CPU seconds one command costs, charged while the controller
  /// runs it: the memcpy of a Read's or Write's data plus one operation
  /// (CpuModel::copy_cost_s, as for a SCSI READ/WRITE), nothing for other
  /// commands (the TCP stack's cost is charged per message by the network).
  double initiator_cpu_cost_s(const nvme::Command& command) const;

 private:
  models::NvmeController& controller_;
  std::string address_;
  std::uint32_t nsid_;
  sg4::Host* initiator_;
  models::CpuModel& cpu_;
};

}  // namespace offload::sim
