// Builds the SimGrid platform of a scenario: hosts (with CPU, optional NIC
// link and local disk/filesystem), NFS and SMB servers, SCSI arrays,
// NVMe-oF targets, shared links and the routes through them, and the
// target factory that lets each host's engine open simulated files
// ("SERVER:/path", "local:/path"), LUNs ("ARRAY:lunN") and namespaces
// ("TARGET:nsN").
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>

#include "engine/target.hpp"
#include "engine/targets/scsi_lun.hpp"
#include "models/cpu.hpp"
#include "models/local_fs.hpp"
#include "models/network.hpp"
#include "engine/targets/nvme_namespace.hpp"
#include "models/nfs_server.hpp"
#include "models/nvme_controller.hpp"
#include "models/smb_server.hpp"
#include "models/scsi_array.hpp"
#include "sim/bottleneck.hpp"
#include "sim/energy.hpp"
#include "sim/scenario/scenario.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// A simulated engine host (client).
struct SimHost {
  std::string name;                              ///< SimGrid host name
  sg4::Host* host = nullptr;                     ///< the SimGrid host
  std::unique_ptr<models::CpuModel> cpu;         ///< its CPU
  std::unique_ptr<models::DiskModel> disk;       ///< its disk, if any
  std::unique_ptr<models::LocalFs> fs;           ///< its filesystem, if a disk
};

/// Everything simulated for one run; create after the sg4::Engine.
class Platform {
 public:
  /// Builds zone, hosts, servers, links and routes; throws ScenarioError
  /// when a copy's host cannot reach a server it uses.
  explicit Platform(const Scenario& scenario);
  /// The hosts a host or group name stands for.
  std::vector<SimHost*> members(const std::string& name);
  /// The NFS server `name` (nullptr if none).
  models::NfsServer* server(const std::string& name);
  /// The SMB server `name` (nullptr if none).
  models::SmbServer* smb_server(const std::string& name);
  /// The SCSI array `name` (nullptr if none).
  models::ScsiArray* array(const std::string& name);
  /// The NVMe-oF target `name` (nullptr if none).
  models::NvmeController* nvme_target(const std::string& name);
  /// True when host copies between NFS servers run as streamed stages ([scenario] host_stage).
  bool streams_host_copies() const { return stream_host_; }
  /// The network and its byte counts.
  models::Network& network() { return network_; }
  /// Per-link bytes, per-host CPU, per-disk busy time and NFS counts.
  nlohmann::json metrics() const;
  /// Every link direction's, disk's and CPU's busy time so far (sim/bottleneck.hpp).
  std::vector<ResourceBusy> resource_busy() const;
  /// Every host, disk device and link direction that draws power, by part of the path.
  std::vector<EnergySource> energy_sources() const;
  /// CPU seconds of the engine hosts, and of the servers and arrays, so far.
  std::pair<double, double> client_and_server_cpu_s() const;

 private:
  void add_host(const std::string& name, const HostSpec& spec);
  sg4::Host* add_box(const std::string& name, const CpuSpec& cpu, std::optional<double> port_Bps, const std::string& port_suffix);
  void add_link(const std::string& name, double bandwidth_Bps, double latency_s);
  void add_port(const std::string& name, const std::string& suffix, double bandwidth_Bps);
  struct PlannedRoute {  // a route from a to b: its links (names) in order, each crossed UP or not
    sg4::Host* a = nullptr;
    sg4::Host* b = nullptr;
    std::vector<std::string> names;
    std::vector<bool> up;
  };
  void add_routes(const std::vector<PlannedRoute>& planned);  // both ways, most private link first
  /// Bandwidth of a route's own head link (add_routes), bytes/s: never a
  /// limit (10^18, a million times a 10 Tb/s link); its LV08 RTT weight
  /// (weight-S / bandwidth) is 2e-14 s.
  static constexpr double kPrivateLinkBps = 1e18;
  std::vector<sg4::Host*> ends(const std::string& name);
  sg4::Host* box_host(const std::string& name) const;  // the host of a server or array
  std::map<std::string, std::string> nic_of_;     // SimGrid host name -> NIC link name
  std::vector<std::string> shared_links_;         // the scenario's [[link]]s
  std::map<std::string, double> capacity_Bps_;    // link name -> bytes/s one direction delivers
  double bandwidth_factor_ = 1;                   // of the network model (LV08: 0.97)
  std::map<std::string, double> bandwidth_Bps_;   // link name -> its bandwidth, bytes/s each direction
  std::map<std::string, std::vector<std::string>> groups_;
  std::map<std::string, std::unique_ptr<SimHost>> hosts_;
  std::map<std::string, std::unique_ptr<models::NfsServer>> servers_;
  std::map<std::string, std::unique_ptr<models::SmbServer>> smb_servers_;
  std::map<std::string, std::unique_ptr<models::ScsiArray>> arrays_;
  std::map<std::string, std::unique_ptr<models::NvmeController>> nvme_targets_;
  models::Network network_;
  sg4::NetZone* zone_ = nullptr;
  bool stream_host_ = false;
};

/// Opens simulated endpoint pairs for the engine of one host.
class SimTargetFactory final : public TargetFactory {
 public:
  /// `nfs_async` forces the COPY mode of every server (nullopt: theirs).
  SimTargetFactory(Platform& platform, SimHost& client, std::optional<bool> nfs_async);
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override;
  /// What faults did to the copy to `destination` (nullptr if never opened).
  std::shared_ptr<const models::FaultTally> tally(const std::string& destination) const;

 private:
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open_target(const CopyRequest& request);
  std::expected<std::unique_ptr<ScsiTransport>, CopyError> open_lun(const std::string& address);
  std::expected<std::unique_ptr<NvmeTransport>, CopyError> open_namespace(const std::string& address);
  std::expected<std::unique_ptr<CopyTarget>, CopyError> open_namespaces(const CopyRequest& request);
  Platform& platform_;
  SimHost& client_;
  std::optional<bool> nfs_async_;
  ScsiLunFactory luns_;  // the engine's LUN target over simulated arrays: this host's initiator
  NvmeNamespaceFactory namespaces_;  // the engine's NVMe namespace target over simulated controllers
  std::map<std::string, std::shared_ptr<models::FaultTally>> tallies_;  // by destination
};

}  // namespace offload::sim
