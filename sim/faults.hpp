// The fault scheduler: applies a scenario's [[fault]] entries at their
// simulated times, each from a daemon actor (a fault due after the last
// copy ended is never applied), and logs what it applied for the results.
//  - link_down: the link's SimGrid links turn off, then on after `duration`
//    (models/network.hpp: comms across it fail and are resent after).
//  - nfs_server_restart: the server goes down, then comes back after
//    `duration` with its state lost (models/nfs_server.hpp).
//  - cb_offload_lost: from `at`, the server drops its next `count` CB_OFFLOADs.
//  - odx_token_expire / xcopy_segment_fail / unit_attention: the array's
//    expire_tokens() / fail_next_segment() / raise_unit_attention() hooks
//    (models/scsi_array.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/platform.hpp"

namespace offload::sim {

/// Starts one daemon actor per fault of `scenario`; each appends a record
/// ({kind, target, at_s, and duration_s or count, applied_s, restored_s}) to
/// `log` when it applies its fault. `log` and `platform` must outlive the run.
void schedule_faults(const Scenario& scenario, Platform& platform, nlohmann::json& log);

}  // namespace offload::sim
