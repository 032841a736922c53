// A source range and a destination range of NVMe namespaces as one engine
// target, over any NvmeTransport (Linux passthrough, a fake, a simulated
// controller): the same code for real and simulated namespaces.
//  - host copies are NVMe Read/Write through this machine, in commands no
//    longer than the controller's MDTS (and 65536 blocks);
//  - nvme-copy sends Copy (19h) commands to the namespace, the operation's
//    range cut by the namespace's MSSRL, MSRC and MCL
//    (engine/nvme/copy_plan.hpp), one command after the other.
// A controller without Copy, limits of 0, or two different namespaces make
// nvme-copy answer EOPNOTSUPP without sending anything, with the reason
// as the detail the engine records with its fallback; a Copy the
// controller refuses becomes errno through nvme::errno_for (Invalid
// Command Opcode: EOPNOTSUPP; Invalid Field, Command Size Limit Exceeded:
// EINVAL) with the status named; any other failed Copy is EREMOTEIO (the
// device could not copy this range: the host path takes it over and meets
// a real media error itself). Cancel is checked between commands: a Copy
// once sent runs out.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/nvme/copy_plan.hpp"
#include "engine/target.hpp"
#include "engine/targets/nvme_transport.hpp"

namespace offload {

/// What the factory found and decided at open.
struct NvmeCopyPlan {
  std::string copy_refusal;        ///< why Copy must not be sent ("" = it may)
  nvme::CopyLimits limits;         ///< the namespace's Copy limits
  std::uint8_t descriptor_format = 0;  ///< Copy descriptor format to send (0h or 1h)
  std::uint32_t block_bytes = 512;     ///< logical block size (bytes)
  std::uint32_t max_transfer_blocks = 1;  ///< most blocks per Read/Write
};

/// The engine target for a pair of namespace ranges.
class NvmeNamespaceTarget final : public CopyTarget {
 public:
  /// `destination` may be the same transport as `source`.
  NvmeNamespaceTarget(std::shared_ptr<NvmeTransport> source, std::shared_ptr<NvmeTransport> destination,
                      NvmeCopyPlan plan, TargetInfo info);
  const TargetInfo& info() const override { return info_; }
  /// The whole range: a namespace has no holes the host can see.
  OpResult map_data(ByteRange range) override;
  OpResult read(const Op& op) override;
  OpResult write(const Op& op) override;
  OpResult nvme_copy(const Op& op) override;
  /// Nothing to do: the engine zeroes no namespace range (no holes).
  OpResult zero_range(const Op& op) override { return {.value = static_cast<std::int64_t>(op.length)}; }
  /// Flush on the destination namespace (Invalid Command Opcode counts as done).
  OpResult finish() override;
  /// Blocks already written stay written: there is no name to undo.
  OpResult abort() override { return {}; }
  void interrupt() override { interrupted_.store(true); }
  /// Copy commands sent so far (each split piece counts).
  [[nodiscard]] std::uint64_t copy_commands_sent() const { return copy_commands_.load(); }

 private:
  OpResult transfer(const Op& op, bool write);

  std::shared_ptr<NvmeTransport> source_;
  std::shared_ptr<NvmeTransport> destination_;
  NvmeCopyPlan plan_;
  TargetInfo info_;
  std::atomic<bool> interrupted_{false};
  std::atomic<std::uint64_t> copy_commands_{0};
};

}  // namespace offload
