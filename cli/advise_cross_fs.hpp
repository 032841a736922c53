// A host copy across two local filesystems: its reads cost what the source
// filesystem's profile measured, its writes what the destination's did.
// `offload calibrate` splits a host copy's memory-copy CPU per filesystem
// into a read side, (1 - write_share) / memcpy_Bps seconds per byte, and a
// write side, write_share / memcpy_Bps (calibration_match.cpp fits
// write_share from the copies at two queue depths); one calibration over
// both directories leaves a profile for each.
#pragma once

#include <optional>
#include <string>

#include "cli/advise_probe.hpp"
#include "cli/advise_profile.hpp"
#include "cli/calibration_fit.hpp"

namespace offload::cli {

/// `destination`'s constants with the read side of the memory copy taken
/// from `source`: memcpy_Bps = 1 / (read + write seconds per byte) and
/// write_share = write / (read + write), where read = (1 - source.write_share)
/// / source.memcpy_Bps and write = destination.write_share /
/// destination.memcpy_Bps. Everything else (core speed, start-up, buffer
/// faults, write-back) stays the destination's. Unchanged when either has no
/// memory-copy rate.
FsConstants combine_read_write(const FsConstants& source, const FsConstants& destination);

/// The source filesystem's profile for a local copy across filesystems: FS.json
/// next to the destination's profile (the directory `offload calibrate`
/// wrote both into). Nothing on one filesystem, on a network path, or when
/// that file is missing or unreadable (the destination's profile then models
/// the reads too); `why_not` then says which, for a cross-filesystem copy.
std::optional<CalibrationProfile> source_profile(const PathProbe& probe, const CalibrationProfile& destination,
                                                 std::string& why_not);

}  // namespace offload::cli
