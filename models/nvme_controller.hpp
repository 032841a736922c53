// NVMe-oF target model: one NVMe controller reached over NVMe/TCP, its
// namespaces on one flash back end, composed of SimGrid activities. Every
// command arrives as the engine's real submission queue entry (opcode,
// NSID, CDW10-15) and, for Copy, the real Source Range Entries, encoded by
// engine/targets/nvme_namespace_target.cpp through
// sim/targets/nvme_controller_transport.hpp, and is decoded with
// engine/nvme/; answers are a real completion Status Field (NVMe Base 2.0,
// 4.6.1) and Identify data:
//  - Identify Controller: ONCS bit 8 (Copy) when copy is on, OCFS formats 0h
//    and 1h, MDTS; Identify Namespace: NSZE (kNamespaceBytes), LBADS of
//    block_bytes, MSSRL, MCL, MSRC (NVM Command Set 1.0, 4.1.5).
//  - Read / Write: the host-mediated path. NVMe/TCP 1.0: a Read is a
//    CapsuleCmd, then C2HData and CapsuleResp; a Write carries its data in
//    the capsule up to in_capsule_bytes, else waits for an R2T and sends
//    H2CData. The target stores and forwards, as Linux nvmet-tcp does: a
//    Read's data leaves once its flash read completed, a Write is written
//    once received (models/stage.hpp). Sizes come from the command; no
//    bytes are carried.
//  - Copy (19h): source ranges of at most MSSRL blocks, at most MSRC + 1 of
//    them, at most MCL blocks in all, else Command Size Limit Exceeded
//    (NVM Command Set 1.0, 3.2.2); the controller reads and writes its own
//    flash, only the command and its range list cross the fabric.
//    Without Copy: Invalid Command Opcode.
//  - Flush: success (no volatile write cache modelled).
// Each host has queues x queue_depth command slots; a command past them
// waits in the host (as blk-mq tags do). Every command costs the target
// per_op_cpu; the TCP stack's per-byte and per-message CPU is charged by
// models/network.hpp on each message. Every namespace identifier from 1 up
// exists; all share the flash.
#pragma once

#include <cstdint>
#include <map>
#include <span>

#include <simgrid/s4u.hpp>

#include "engine/nvme/command.hpp"
#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/network.hpp"
#include "models/specs.hpp"

namespace offload::models {

/// Counts of NVMe commands, for results and tests.
struct NvmeCounters {
  double identifies = 0;     ///< Identify (admin) commands
  double reads = 0;          ///< Read commands
  double writes = 0;         ///< Write commands
  double copies = 0;         ///< Copy commands received (run or refused)
  double copy_ranges = 0;    ///< Source Range Entries of the Copy commands run
  double flushes = 0;        ///< Flush commands
  double errors = 0;         ///< commands completed with a status other than success
};

/// Size of every simulated namespace, bytes: 64 TiB (NSZE), beyond any
/// scenario's copies; Read, Write or Copy past it is LBA Out of Range.
inline constexpr std::uint64_t kNamespaceBytes = std::uint64_t{64} << 40;

/// The controller's answer to one command.
struct NvmeReply {
  std::uint16_t status = 0;  ///< completion Status Field (engine/nvme/status.hpp); 0 = success
  nvme::Bytes data;          ///< data to the host (Identify)
};

/// One simulated NVMe-oF controller.
class NvmeController {
 public:
  NvmeController(const NvmeTargetSpec& spec, sg4::Host* host, Network& network);
  /// Runs an admin command from `initiator` (Identify; anything else is
  /// Invalid Command Opcode); blocks the calling actor, on `initiator`.
  NvmeReply admin(sg4::Host* initiator, const nvme::Command& command);
  /// Runs an I/O command from `initiator` with its data to the controller
  /// (Copy's Source Range Entries; a Write's data goes by size).
  NvmeReply io(sg4::Host* initiator, const nvme::Command& command, std::span<const std::uint8_t> data_out = {});

  /// The target's host.
  sg4::Host* host() const { return cpu_.host(); }
  /// Target CPU.
  const CpuModel& cpu() const { return cpu_; }
  /// Flash back end.
  const DiskModel& flash() const { return flash_; }
  /// Command counts so far.
  const NvmeCounters& counters() const { return counters_; }
  /// Logical block size, bytes.
  std::uint32_t block_bytes() const { return static_cast<std::uint32_t>(spec_.block_bytes); }

 private:
  NvmeReply dispatch(sg4::Host* initiator, const nvme::Command& command, std::span<const std::uint8_t> data_out);
  NvmeReply identify(const nvme::Command& command);
  NvmeReply read_write(sg4::Host* initiator, const nvme::ReadWrite& io);
  NvmeReply copy(const nvme::Command& command, std::span<const std::uint8_t> ranges);
  void receive_command(sg4::Host* initiator, double bytes);
  bool in_namespace(std::uint64_t lba, std::uint64_t blocks) const;
  NvmeReply failed(std::uint8_t code_type, std::uint8_t code);
  sg4::SemaphorePtr slots(sg4::Host* initiator);

  NvmeTargetSpec spec_;
  CpuModel cpu_;
  DiskModel flash_;
  Network& network_;
  NvmeCounters counters_;
  std::map<sg4::Host*, sg4::SemaphorePtr> slots_;  // per host: queues x queue_depth
};

}  // namespace offload::models
