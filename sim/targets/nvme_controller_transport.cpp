#include "sim/targets/nvme_controller_transport.hpp"

#include <algorithm>

namespace offload::sim {
namespace {

NvmeOutcome outcome_of(const models::NvmeReply& reply, std::span<std::uint8_t> data_in) {
  std::copy_n(reply.data.begin(), std::min(reply.data.size(), data_in.size()), data_in.begin());
  return {.status = reply.status};
}

}  // namespace

NvmeControllerTransport::NvmeControllerTransport(models::NvmeController& controller, std::string address,
                                                 std::uint32_t nsid, sg4::Host* initiator, models::CpuModel& initiator_cpu)
    : controller_(controller), address_(std::move(address)), nsid_(nsid), initiator_(initiator), cpu_(initiator_cpu) {}

double NvmeControllerTransport::initiator_cpu_cost_s(const nvme::Command& command) const {
  auto io = nvme::decode_read_write(command);
  if (!io) return 0;
  return cpu_.copy_cost_s(static_cast<double>(io->blocks) * controller_.block_bytes());
}

NvmeOutcome NvmeControllerTransport::admin(const nvme::Command& command, std::span<std::uint8_t> data_in) {
  return outcome_of(controller_.admin(initiator_, command), data_in);
}

NvmeOutcome NvmeControllerTransport::io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                                        std::span<std::uint8_t> data_in) {
  sg4::ExecPtr host_work;
  if (double cpu_s = initiator_cpu_cost_s(command); cpu_s > 0) host_work = cpu_.work_async(cpu_s);
  models::NvmeReply reply = controller_.io(initiator_, command, data_out);
  if (host_work) host_work->wait();
  return outcome_of(reply, data_in);
}

}  // namespace offload::sim
