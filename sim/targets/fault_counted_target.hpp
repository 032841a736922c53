// A simulated copy's target as the fault models see it: forwards every hook
// to the engine's own target (e.g. ScsiLunTarget over the simulated array's
// transport) and carries the FaultTally that SimRuntime hands to the
// models while the copy's operations run (models/network.hpp), so retries
// after a link outage count against that copy.
#pragma once

#include <memory>

#include "engine/target.hpp"
#include "models/network.hpp"

namespace offload::sim {

/// `inner` with a fault tally.
class FaultCountedTarget final : public CopyTarget, public models::FaultCounted {
 public:
  /// Owns `inner`.
  explicit FaultCountedTarget(std::unique_ptr<CopyTarget> inner) : inner_(std::move(inner)) {}
  const TargetInfo& info() const override { return inner_->info(); }
  OpResult map_data(ByteRange range) override { return inner_->map_data(range); }
  OpResult read(const Op& op) override { return inner_->read(op); }
  OpResult write(const Op& op) override { return inner_->write(op); }
  OpResult clone(const Op& op) override { return inner_->clone(op); }
  OpResult copy_range(const Op& op) override { return inner_->copy_range(op); }
  OpResult xcopy(const Op& op) override { return inner_->xcopy(op); }
  OpResult odx(const Op& op) override { return inner_->odx(op); }
  OpResult nvme_copy(const Op& op) override { return inner_->nvme_copy(op); }
  OpResult zero_range(const Op& op) override { return inner_->zero_range(op); }
  OpResult finish() override { return inner_->finish(); }
  OpResult abort() override { return inner_->abort(); }
  void interrupt() override { inner_->interrupt(); }

 private:
  std::unique_ptr<CopyTarget> inner_;
};

}  // namespace offload::sim
