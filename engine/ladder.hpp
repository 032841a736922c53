// The fallback ladder: which methods a copy may use and in what order, and
// which errors of a method hand a range on to the next rung (and which rule
// the method out for the rest of the copy). The engine (engine/engine.hpp)
// applies this policy range by range; nothing here does I/O.
//  - automatic: clone -> scsi-xcopy -> scsi-odx -> kernel-copy -> host,
//    keeping the file methods only where the target serves files and the
//    device methods only where it lists them (a LUN's third-party copy VPD);
//  - a pinned method: that method alone (its errors fail the copy).
#pragma once

#include <vector>

#include "engine/target.hpp"
#include "engine/types.hpp"

namespace offload {

/// The methods a choice may use, in ladder order (one for a pinned choice).
std::vector<Method> ladder_for(MethodChoice choice);

/// The ladder of `choice` for a target offering `offers`: the automatic
/// ladder without the methods the target does not offer; a pinned choice
/// unchanged (a refusal then reports why).
std::vector<Method> ladder_for(MethodChoice choice, const TargetInfo& offers);

/// Errors after which the next rung of the ladder may take the range over.
bool may_fall_back(int errno_value);

/// Errors that say the method cannot work for this pair at all (not just for
/// one range, as a misaligned clone's EINVAL, an expired token's ESTALE or an
/// aborted copy segment's EREMOTEIO do).
bool disables_method(int errno_value);

}  // namespace offload
