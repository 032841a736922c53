// Scenario files (TOML, read with toml11): a platform, a workload, an
// optional sweep and a seed. Loading validates everything up front: unknown
// keys, wrong types, bad units and dangling references throw ScenarioError
// naming the file, the line and the key. No SimGrid here. The loader's
// parts: toml_fields.hpp (typed getters, the loop over entries),
// sections.hpp (one reader per section), sweep.hpp (sweep expansion).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "engine/engine.hpp"
#include "models/specs.hpp"

namespace offload::sim {

/// A bad scenario: "FILE:LINE: where: what".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The model parameters (models/specs.hpp) as scenario entries name them.
// Hosts, links, copies and faults below are the platform's and workload's
// shape (sim/platform.cpp builds them from several models), not one model's.
using models::CpuSpec;
using models::DiskSpec;
using models::LocalFsSpec;
using models::NfsCopySpec;
using models::NfsServerSpec;
using models::PowerSpec;
using models::NvmeCopySpec;
using models::NvmeFabricSpec;
using models::NvmeTargetSpec;
using models::ScsiArraySpec;
using models::ScsiCopySpec;
using models::SmbCopySpec;
using models::SmbServerSpec;
using models::StackSpec;

/// A client or plain host.
struct HostSpec {
  std::string name;                   ///< name, or group prefix when count > 1
  int count = 1;                      ///< members NAME-0 .. NAME-(count-1) when > 1
  CpuSpec cpu;                        ///< CPU model
  std::optional<double> nic_Bps;      ///< private NIC link, bytes/s (none = no NIC limit)
  std::optional<DiskSpec> disk;       ///< local disk, if any
  LocalFsSpec fs;                     ///< local filesystem on that disk
  int line = 0;                       ///< where it was declared
};

/// A shared link between hosts or groups.
struct LinkSpec {
  std::string name;                   ///< name used in sweeps ("link.NAME.bandwidth")
  double bandwidth_Bps = 0;           ///< bytes/s, each direction (full duplex)
  double latency_s = 0;               ///< seconds
  std::vector<std::string> between;   ///< exactly two host/group/server names
  int line = 0;
};

/// One workload entry: copies run by the engine of each `on` host.
struct CopySpec {
  std::string on;                     ///< host or group running the engine
  std::string from;                   ///< "SERVER:/path", "local:/path", "ARRAY:lunN" or "TARGET:nsN"
  std::string to;                     ///< same forms (LUN to LUN, namespace to namespace, file to file)
  double size_bytes = 0;              ///< bytes per copy
  int count = 1;                      ///< copies per host
  int concurrency = 1;                ///< copies in flight per host
  double start_s = 0;                 ///< first submit, simulated seconds
  double start_jitter_s = 0;          ///< uniform extra start delay per host (seeded)
  std::optional<double> cancel_after_s;  ///< the engine cancels each copy this long after its submit
  int line = 0;
};

/// What a [[fault]] does (sim/faults.hpp applies it).
enum class FaultKind {
  link_down,            ///< a [[link]] goes down for `duration`, then comes back
  nfs_server_restart,   ///< an NFS server is down for `duration` and loses its async copies
  cb_offload_lost,      ///< the next `count` CB_OFFLOAD callbacks of a server are dropped
  odx_token_expire,     ///< every ROD token of an array expires
  xcopy_segment_fail,   ///< the next EXTENDED COPY / WRITE USING TOKEN segment fails (COPY ABORTED)
  unit_attention,       ///< each initiator's next command to an array answers UNIT ATTENTION (POWER ON, RESET)
};

/// One fault injected at a simulated time.
struct FaultSpec {
  FaultKind kind = FaultKind::link_down;  ///< what happens
  std::string kind_name;              ///< as written: "link_down", ...
  std::string target;                 ///< the link, server or array it hits
  double at_s = 0;                    ///< when, simulated seconds
  double duration_s = 0;              ///< how long a link or server stays down, seconds
  int count = 1;                      ///< callbacks dropped (cb_offload_lost)
  int line = 0;                       ///< where it was declared
};

/// Electrical power of a full-duplex link (the ports at its two ends):
/// idle_W + (busy_W - idle_W) x utilisation, half of it charged to each
/// direction with that direction's utilisation (SimGrid 3.32's link energy model, sim/energy.hpp).
struct LinkPowerSpec {
  double idle_W = 0;                  ///< watts with no traffic
  double busy_W = 0;                  ///< watts with both directions at full bandwidth
};

/// Power profiles per class of machine ([energy]); defaults and their
/// sources: README "Energy". Each [[host]] takes `client` (its local disk
/// `disk`), each NFS or SMB server `server`, each SCSI array `array` (their
/// storage `disk`), every link (NICs, array ports, [[link]]s) `link`.
struct EnergySpec {
  /// A two-socket server: idle about half of busy (Barroso and Hoelzle,
  /// "The case for energy-proportional computing", IEEE Computer 40(12), 2007).
  PowerSpec client{100, 100, 200};
  PowerSpec server{100, 100, 200};   ///< a filer's head: the same server class
  PowerSpec array{100, 100, 200};    ///< an array's controller: the same server class
  /// A 3.5-inch enterprise hard disk: about 5 W idle, 10 W seeking and
  /// transferring (Seagate Exos X16 SATA product manual 100845789, DC power).
  PowerSpec disk{5, 5, 10};
  /// Two 10 Gb/s ports; switch power barely varies with traffic (Mahadevan
  /// et al., "A power benchmarking framework for network devices", IFIP
  /// Networking 2009), so idle = busy.
  LinkPowerSpec link{5, 5};
};

/// A method as a scenario names it: an engine choice plus NFS COPY mode.
struct MethodVariant {
  std::string label;                  ///< as written: "host", "nfs-copy-async", ...
  MethodChoice choice = MethodChoice::automatic;  ///< what the engine is asked
  std::optional<bool> nfs_async;      ///< forces the servers' COPY mode
};

/// A parsed, validated scenario at one sweep point.
struct Scenario {
  std::string file;                   ///< path it was read from
  std::string name;                   ///< [scenario].name
  std::string description;            ///< [scenario].description
  std::uint64_t seed = 1;             ///< seeds start jitter
  std::string network_model = "LV08"; ///< "LV08" (TCP-calibrated) or "CM02" (closed form, no cross-traffic)
  std::string host_stage = "chunked";  ///< host copies between NFS servers: "chunked" (activities per chunk) or "streaming"
  EngineConfig engine;                ///< every client's engine settings
  std::vector<HostSpec> hosts;
  std::vector<NfsServerSpec> nfs_servers;
  std::vector<SmbServerSpec> smb_servers;
  std::vector<ScsiArraySpec> scsi_arrays;
  std::vector<NvmeTargetSpec> nvme_targets;
  std::vector<LinkSpec> links;
  std::vector<CopySpec> copies;
  std::vector<FaultSpec> faults;      ///< injected in time order by sim/faults.hpp
  std::vector<MethodVariant> methods; ///< one run per method
  EnergySpec energy;                  ///< power profiles ([energy]; also copied into each CPU and disk spec)
  std::map<std::string, std::string> point;  ///< sweep values applied ("link.lan.bandwidth" -> "10Gbps")
};

/// Most points a sweep may expand to (the product of its value counts); a
/// larger sweep is refused before any point is built.
inline constexpr std::size_t kMaxSweepPoints = 10000;

/// A scenario file with its sweep expanded.
struct ScenarioSet {
  std::vector<Scenario> points;       ///< one per sweep point (one when no sweep)
  std::vector<std::string> sweep_keys;  ///< the swept parameters, in file order
};

/// Reads and validates `path`; throws ScenarioError.
ScenarioSet load_scenario_file(const std::string& path);
/// Same for TOML text (`name` stands for the file in messages).
ScenarioSet load_scenario_text(const std::string& text, const std::string& name);
/// One step from a scenario's root: a table key, or an index (from 0) into
/// an array of tables ([[link]], [[copy]], ...).
using KeyStep = std::variant<std::string, std::size_t>;
/// Where a sweep key ("link.lan.bandwidth", "copy.1.size") points in the
/// scenario TOML `text`: the steps from the root, the field last (which may
/// be absent: a sweep adds it). The one resolver of sweep keys (offloadsim's
/// Scenario.get/set use it). Throws ScenarioError "NAME: [sweep] key 'K':
/// cause" when it names no table of the file.
std::vector<KeyStep> sweep_key_path(const std::string& text, const std::string& name, const std::string& key);
/// Parses a scenario method name: one of method_variant_list().
std::optional<MethodVariant> parse_method_variant(const std::string& label);
/// Every scenario method name: the engine's (offload::method_choice_list())
/// then xcopy, odx, nfs-copy, nfs-copy-sync, nfs-copy-async.
std::string method_variant_list();

}  // namespace offload::sim
