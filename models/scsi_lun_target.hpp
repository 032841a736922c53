// The engine's target for a pair of simulated SCSI LUNs: host copies are
// READ/WRITE through the initiator (one memcpy of host CPU per byte each
// way, as a block-layer bounce), device offloads are EXTENDED COPY and ODX
// on the array. Offloads across two arrays are refused (EXDEV), as most
// arrays copy only between their own LUNs; an array without a command
// answers INVALID OPERATION CODE (EOPNOTSUPP), so the ladder falls back.
#pragma once

#include "engine/target.hpp"
#include "models/scsi_array.hpp"

namespace offload::models {

/// A simulated source LUN / destination LUN pair.
class ScsiLunTarget final : public CopyTarget, public FaultCounted {
 public:
  ScsiLunTarget(sg4::Host* initiator, CpuModel& initiator_cpu, ScsiArray& source, ScsiArray& destination,
                TargetInfo info);
  const TargetInfo& info() const override { return info_; }
  OpResult map_data(ByteRange range) override;
  OpResult read(const Op& op) override;
  OpResult write(const Op& op) override;
  OpResult xcopy(const Op& op) override;
  OpResult odx(const Op& op) override;
  OpResult zero_range(const Op& op) override;
  OpResult finish() override;
  OpResult abort() override { return {}; }

 private:
  OpResult on_array(double (ScsiArray::*offload)(sg4::Host*, double), const Op& op);
  sg4::Host* initiator_;
  CpuModel& cpu_;
  ScsiArray& source_;
  ScsiArray& destination_;
  TargetInfo info_;
};

}  // namespace offload::models
