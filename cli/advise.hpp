// `offload advise` as one call (the command and offloadsim.advise use it):
// probe the path (advise_probe.hpp), pick the destination filesystem's
// calibration profile (advise_profile.hpp), simulate every method the path
// allows (advise_model.hpp), recommend (advise_answer.hpp) and, when asked,
// run the methods for real (advise_verify.hpp).
#pragma once

#include <string>
#include <vector>

#include "cli/advise_answer.hpp"

namespace offload::cli {

/// What to advise on.
struct AdviseRequest {
  std::string source;            ///< an existing file
  std::string destination;       ///< a file to create, or an existing directory
  std::string size;              ///< the copy's size ("256MiB"; "" = the source's size)
  unsigned queue_depth = 8;      ///< operations in flight (the engine's default)
  std::string profile;           ///< a profile file ("" = the destination filesystem's in profile_directory())
  bool verify = false;           ///< run each method for real afterwards
  unsigned repeat = 3;           ///< timed copies per method when verifying
  std::string link_rate;         ///< NFS, SMB: the link's rate ("1Gbps"; "" = the probed one)
  std::string server_disk;       ///< NFS, SMB: the server's disk rate ("500MBps"; "" = the profile's memcpy rate)
  std::string round_trip;        ///< NFS, SMB: one request's round trip to the server ("2ms"; "" = the probed one)
};

/// The whole answer.
struct Advice {
  PathProbe probe;                      ///< what the path allows
  CalibrationProfile profile;           ///< the constants used
  AdviceModel model;                    ///< the predictions
  Recommendation recommendation;        ///< the method to use
  std::vector<MeasuredMethod> measured; ///< the real copies (when verifying)
};

/// Runs the request; throws AdviseUsageError for a bad path, option or
/// profile (naming which and why), std::runtime_error for a failed simulation.
Advice advise(const AdviseRequest& request);

}  // namespace offload::cli
