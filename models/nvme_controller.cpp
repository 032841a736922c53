#include "models/nvme_controller.hpp"

#include <nvme/types.h>

#include <bit>

#include "engine/nvme/identify.hpp"
#include "engine/nvme/status.hpp"
#include "models/stage.hpp"

namespace offload::models {
namespace {

constexpr std::uint8_t kGeneric = NVME_SCT_GENERIC;
constexpr std::uint32_t kBroadcastNsid = 0xFFFFFFFF;  // NSID FFFFFFFFh: all namespaces, not one (NVMe Base 2.0, 3.2.1.2)

bool is_opcode(const nvme::Command& command, nvme::IoOpcode opcode) { return command.opcode == static_cast<std::uint8_t>(opcode); }

}  // namespace

NvmeController::NvmeController(const NvmeTargetSpec& spec, sg4::Host* host, Network& network)
    : spec_(spec), cpu_(host, spec.cpu), flash_(host, spec.name + "-flash", spec.flash), network_(network) {}

sg4::SemaphorePtr NvmeController::slots(sg4::Host* initiator) {
  auto [it, fresh] = slots_.try_emplace(initiator);
  if (fresh) it->second = sg4::Semaphore::create(static_cast<unsigned>(spec_.fabric.queues * spec_.fabric.queue_depth));
  return it->second;
}

NvmeReply NvmeController::failed(std::uint8_t code_type, std::uint8_t code) {
  return {nvme::encode_status({.code = code, .code_type = code_type, .do_not_retry = true}), {}};
}

bool NvmeController::in_namespace(std::uint64_t lba, std::uint64_t blocks) const {
  const std::uint64_t size = kNamespaceBytes / block_bytes();
  return lba <= size && blocks <= size - lba;
}

// A command capsule from `initiator` with `bytes` of data: in the capsule
// when they fit in_capsule_bytes, else after an R2T as H2CData (NVMe/TCP 1.0, 3.3).
void NvmeController::receive_command(sg4::Host* initiator, double bytes) {
  const NvmeFabricSpec& f = spec_.fabric;
  if (bytes <= f.in_capsule_bytes) {
    network_.send(initiator, host(), f.command_bytes + bytes);
    return;
  }
  network_.send(initiator, host(), f.command_bytes);
  network_.send(host(), initiator, f.data_header_bytes);  // R2T
  network_.send(initiator, host(), f.data_header_bytes + bytes);
}

NvmeReply NvmeController::admin(sg4::Host* initiator, const nvme::Command& command) {
  receive_command(initiator, 0);
  cpu_.work_async(cpu_.copy_cost_s(0))->wait();
  NvmeReply reply = command.opcode == nvme::kIdentifyOpcode ? identify(command) : failed(kGeneric, NVME_SC_INVALID_OPCODE);
  if (reply.status != 0) ++counters_.errors;
  const double data = reply.data.empty() ? 0 : spec_.fabric.data_header_bytes + static_cast<double>(reply.data.size());
  network_.send(host(), initiator, data + spec_.fabric.response_bytes);
  return reply;
}

NvmeReply NvmeController::io(sg4::Host* initiator, const nvme::Command& command, std::span<const std::uint8_t> data_out) {
  sg4::SemaphorePtr slot = slots(initiator);
  slot->acquire();
  NvmeReply reply = dispatch(initiator, command, data_out);
  if (reply.status != 0) ++counters_.errors;
  slot->release();
  return reply;
}

NvmeReply NvmeController::dispatch(sg4::Host* initiator, const nvme::Command& command, std::span<const std::uint8_t> data_out) {
  const bool valid_nsid = command.nsid != 0 && command.nsid != kBroadcastNsid;
  if (auto io = nvme::decode_read_write(command); io && valid_nsid) return read_write(initiator, *io);
  receive_command(initiator, static_cast<double>(data_out.size()));
  cpu_.work_async(cpu_.copy_cost_s(0))->wait();
  NvmeReply reply;
  if (!valid_nsid) {
    reply = failed(kGeneric, NVME_SC_INVALID_NS);
  } else if (is_opcode(command, nvme::IoOpcode::copy)) {
    reply = copy(command, data_out);
  } else if (is_opcode(command, nvme::IoOpcode::flush)) {
    ++counters_.flushes;  // no volatile write cache modelled
  } else {
    reply = failed(kGeneric, NVME_SC_INVALID_OPCODE);
  }
  network_.send(host(), initiator, spec_.fabric.response_bytes);
  return reply;
}

NvmeReply NvmeController::identify(const nvme::Command& command) {
  ++counters_.identifies;
  const auto cns = static_cast<nvme::Cns>(command.cdw[0] & 0xFF);
  if (cns == nvme::Cns::controller) {
    nvme::ControllerIdentity id{.serial = spec_.name, .model = "offloadsim NVMe-oF target", .mdts = static_cast<std::uint8_t>(spec_.copy.mdts)};
    if (spec_.copy.copy) {
      id.oncs = 1U << 8;
      id.ocfs = 0x3;  // descriptor formats 0h and 1h
    }
    return {0, nvme::encode_identify_controller(id)};
  }
  if (cns != nvme::Cns::namespace_data) return failed(kGeneric, NVME_SC_INVALID_FIELD);
  if (command.nsid == 0 || command.nsid == kBroadcastNsid) return failed(kGeneric, NVME_SC_INVALID_NS);
  nvme::NamespaceIdentity ns{.size_blocks = kNamespaceBytes / block_bytes(),
                             .block_shift = static_cast<std::uint8_t>(std::countr_zero(block_bytes())),
                             .mssrl = static_cast<std::uint16_t>(spec_.copy.mssrl),
                             .mcl = static_cast<std::uint32_t>(spec_.copy.mcl),
                             .msrc = static_cast<std::uint8_t>(spec_.copy.msrc)};
  return {0, nvme::encode_identify_namespace(ns)};
}

// Read or Write: the command, then the flash and the data transfer (store and forward), then status.
NvmeReply NvmeController::read_write(sg4::Host* initiator, const nvme::ReadWrite& io) {
  const double bytes = static_cast<double>(io.blocks) * block_bytes();
  const NvmeFabricSpec& f = spec_.fabric;
  if (!in_namespace(io.lba, io.blocks)) {
    network_.send(initiator, host(), f.command_bytes);
    network_.send(host(), initiator, f.response_bytes);
    return failed(kGeneric, NVME_SC_LBA_RANGE);
  }
  const double cpu_s = cpu_.copy_cost_s(0);
  if (!io.write) {
    ++counters_.reads;
    network_.send(initiator, host(), f.command_bytes);
    disk_to_peer(flash_, cpu_, cpu_s, network_, host(), initiator, bytes, f.data_header_bytes + bytes + f.response_bytes, true);
    return {};
  }
  ++counters_.writes;
  double wire = f.command_bytes + bytes;  // in-capsule data
  if (bytes > f.in_capsule_bytes) {
    network_.send(initiator, host(), f.command_bytes);
    network_.send(host(), initiator, f.data_header_bytes);  // R2T
    wire = f.data_header_bytes + bytes;
  }
  peer_to_disk(flash_, cpu_, cpu_s, network_, host(), initiator, bytes, wire, true);
  network_.send(host(), initiator, f.response_bytes);
  return {};
}

NvmeReply NvmeController::copy(const nvme::Command& command, std::span<const std::uint8_t> ranges) {
  ++counters_.copies;
  if (!spec_.copy.copy) return failed(kGeneric, NVME_SC_INVALID_OPCODE);
  auto decoded = nvme::decode_copy(command, ranges);
  if (!decoded) return failed(kGeneric, NVME_SC_INVALID_FIELD);
  const NvmeCopySpec& limits = spec_.copy;
  bool too_large = decoded->ranges.size() > static_cast<std::size_t>(limits.msrc) + 1 ||
                   decoded->blocks() > static_cast<std::uint64_t>(limits.mcl);
  bool inside = in_namespace(decoded->destination_lba, decoded->blocks());
  for (const nvme::SourceRange& range : decoded->ranges) {
    too_large = too_large || range.blocks > static_cast<std::uint32_t>(limits.mssrl);
    inside = inside && in_namespace(range.lba, range.blocks);
  }
  if (too_large) return failed(NVME_SCT_CMD_SPECIFIC, NVME_SC_CMD_SIZE_LIMIT_EXCEEDED);
  if (!inside) return failed(kGeneric, NVME_SC_LBA_RANGE);
  counters_.copy_ranges += static_cast<double>(decoded->ranges.size());
  disk_to_disk(flash_, flash_, nullptr, 0, static_cast<double>(decoded->blocks()) * block_bytes());
  return {};
}

}  // namespace offload::models
