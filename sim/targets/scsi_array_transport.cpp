#include "sim/targets/scsi_array_transport.hpp"

#include <algorithm>

namespace offload::sim {

ScsiArrayTransport::ScsiArrayTransport(models::ScsiArray& array, std::string address, std::string lun,
                                       sg4::Host* initiator, models::CpuModel& initiator_cpu)
    : array_(array), address_(std::move(address)), lun_(std::move(lun)), initiator_(initiator), cpu_(initiator_cpu) {}

double ScsiArrayTransport::initiator_cpu_cost_s(std::span<const std::uint8_t> cdb) const {
  auto io = decode_read_write16(cdb);
  if (!io) return 0;
  return cpu_.copy_cost_s(static_cast<double>(io->blocks) * array_.block_bytes());
}

ScsiOutcome ScsiArrayTransport::command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                                        std::span<std::uint8_t> data_in) {
  return retry_unit_attention([&] { return run_once(cdb, data_out, data_in); });
}

ScsiOutcome ScsiArrayTransport::run_once(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                                         std::span<std::uint8_t> data_in) {
  sg4::ExecPtr host_work;
  if (double cpu_s = initiator_cpu_cost_s(cdb); cpu_s > 0) host_work = cpu_.work_async(cpu_s);
  models::ScsiReply reply = array_.execute(initiator_, lun_, cdb, data_out);
  if (host_work) host_work->wait();
  ScsiOutcome outcome{.status = reply.status};
  if (reply.status == scsi::status::check_condition) {
    if (auto sense = scsi::decode_sense(reply.sense)) outcome.sense = *sense;
  }
  outcome.data_in_bytes = std::min(reply.data.size(), data_in.size());
  std::copy_n(reply.data.begin(), outcome.data_in_bytes, data_in.begin());
  return outcome;
}

}  // namespace offload::sim
