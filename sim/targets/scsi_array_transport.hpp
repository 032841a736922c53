// The simulated SCSI array as a ScsiTransport: the sim's counterpart of
// engine/targets/iscsi_session.hpp and sg_io_transport.hpp, and all the
// simulator replaces on the SCSI path (with the clock). The engine's own
// ScsiLunFactory and ScsiLunTarget (discovery, UNIT ATTENTION retries,
// EXTENDED COPY and token copy planning, sense to errno, fallbacks) run on
// top of it unchanged. command() hands the CDB and data-out bytes to
// models::ScsiArray::execute, which charges the front-end link, the
// controller and the back end and blocks the calling actor (an engine
// operation's worker, or the workload actor during open) for that simulated
// time; the answer's status, sense and data-in come back as real bytes.
// READ/WRITE data is modelled by size only (carries_data() is false).
// It lives in sim/targets/ (SimGrid, next to the platform that opens it),
// mirroring the real transports in engine/targets/; models/ keeps the
// array itself.
#pragma once

#include <string>

#include <simgrid/s4u.hpp>

#include "engine/targets/scsi_transport.hpp"
#include "models/cpu.hpp"
#include "models/scsi_array.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// One LUN of a simulated array, reached from one simulated initiator host.
class ScsiArrayTransport final : public ScsiTransport {
 public:
  /// `address` is "ARRAY:LUN"; `lun` the part after the colon; commands run
  /// from `initiator`, whose CPU pays the host side of each command.
  ScsiArrayTransport(models::ScsiArray& array, std::string address, std::string lun, sg4::Host* initiator,
                     models::CpuModel& initiator_cpu);
  std::string address() const override { return address_; }
  /// The address: one name per simulated LUN.
  std::string identity() const override { return address_; }
  /// "sim".
  std::string kind() const override { return "sim"; }
  /// False: READ/WRITE sizes come from the CDB, no bytes are carried.
  bool carries_data() const override { return false; }
  /// Runs the command on the array (UNIT ATTENTION retried, as every transport does).
  ScsiOutcome command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                      std::span<std::uint8_t> data_in) override;
  /// Initiator CPU seconds one command costs, charged while the array runs
  /// it: the memcpy of a READ(16)/WRITE(16)'s data plus one operation (a
  /// block-layer bounce, CpuModel::copy_cost_s), nothing for other commands.
  /// The one place a per-command initiator CPU cost belongs.
  double initiator_cpu_cost_s(std::span<const std::uint8_t> cdb) const;

 private:
  ScsiOutcome run_once(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                       std::span<std::uint8_t> data_in);
  models::ScsiArray& array_;
  std::string address_;
  std::string lun_;
  sg4::Host* initiator_;
  models::CpuModel& cpu_;
};

}  // namespace offload::sim
