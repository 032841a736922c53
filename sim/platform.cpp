#include "sim/platform.hpp"

#include <algorithm>
#include <cerrno>
#include <set>

#include "engine/status_json.hpp"
#include "models/power.hpp"
#include "sim/targets/fault_counted_target.hpp"
#include "sim/targets/nvme_controller_transport.hpp"
#include "sim/targets/scsi_array_transport.hpp"
#include "sim/targets/sim_file_target.hpp"

namespace offload::sim {

void Platform::add_host(const std::string& name, const HostSpec& spec) {
  auto node = std::make_unique<SimHost>();
  node->name = name;
  node->host = zone_->create_host(name, models::kFlopsPerCpuSecond * spec.cpu.core_speed)->set_core_count(spec.cpu.cores);
  models::set_host_power(node->host, spec.cpu.power);
  node->cpu = std::make_unique<models::CpuModel>(node->host, spec.cpu);
  if (spec.disk) {
    node->disk = std::make_unique<models::DiskModel>(node->host, name + "-disk", *spec.disk);
    node->fs = std::make_unique<models::LocalFs>(*node->cpu, *node->disk, spec.fs);
  }
  if (spec.nic_Bps) add_port(name, "-nic", *spec.nic_Bps);
  node->host->seal();
  hosts_[name] = std::move(node);
}

// A link (full duplex, sealed), its bandwidth and its capacity for bottleneck shares.
void Platform::add_link(const std::string& name, double bandwidth_Bps, double latency_s) {
  zone_->create_split_duplex_link(name, bandwidth_Bps)->set_latency(latency_s)->seal();
  bandwidth_Bps_[name] = bandwidth_Bps;
  capacity_Bps_[name] = bandwidth_Bps * bandwidth_factor_;
}

// The private NIC or port link NAME+SUFFIX of host or box `name`.
void Platform::add_port(const std::string& name, const std::string& suffix, double bandwidth_Bps) {
  add_link(name + suffix, bandwidth_Bps, 0);
  nic_of_[name] = name + suffix;
}

// A server or array: its host and, if given, its private port link.
sg4::Host* Platform::add_box(const std::string& name, const CpuSpec& cpu, std::optional<double> port_Bps,
                             const std::string& port_suffix) {
  sg4::Host* host = zone_->create_host(name, models::kFlopsPerCpuSecond)->set_core_count(cpu.cores);
  models::set_host_power(host, cpu.power);
  host->seal();
  if (port_Bps) add_port(name, port_suffix, *port_Bps);
  groups_[name] = {name};
  return host;
}

// Each route both ways, its links listed from the one fewest routes cross
// (a host's own NIC or port) to the most shared. Max-min sharing does not
// depend on the order, but SimGrid 3.32's selective LMM update does: when
// a comm's latency ends it marks only the first link of the comm's route as
// modified (System::update_modified_cnst_set_from_variable), and if that
// link was already marked at this instant by another comm, the others are
// not, so the comm's rate ignored them: two clients starting together on
// one shared [[link]] to a filer, the second's reads ran at its NIC's full
// rate each, however many shared that NIC (tests/sim/closed_form_test.cpp,
// Simulation.ClientsOnASharedUnsaturatedLinkTakeTheirTimeAlone). Listed
// this way, routes that start on the same link (and direction) cross the
// same links in the star layouts (a client's NIC, one [[link]], a server's
// port). Where they do not (a client reaching two servers over two
// [[link]]s, its NIC first on both), each such route starts on a link of
// its own instead: no bandwidth limit, no latency (kPrivateLinkBps), so no
// other route's comm can have marked it.
void Platform::add_routes(const std::vector<PlannedRoute>& planned) {
  std::map<std::string, int> crossing;  // link -> routes that cross it
  for (const PlannedRoute& route : planned) {
    for (const std::string& name : route.names) ++crossing[name];
  }
  using Hops = std::vector<std::pair<std::string, bool>>;  // (link, crossed UP), in route order
  struct Directed {
    sg4::Host* from;
    sg4::Host* to;
    Hops hops;
  };
  std::vector<Directed> routes;
  for (const PlannedRoute& route : planned) {
    Hops there, back;
    for (std::size_t i = 0; i < route.names.size(); ++i) there.emplace_back(route.names[i], route.up[i]);
    for (std::size_t i = route.names.size(); i-- > 0;) back.emplace_back(route.names[i], !route.up[i]);
    for (auto [from, to, hops] : {Directed{route.a, route.b, there}, Directed{route.b, route.a, back}}) {
      std::stable_sort(hops.begin(), hops.end(),
                       [&crossing](const auto& x, const auto& y) { return crossing.at(x.first) < crossing.at(y.first); });
      routes.push_back({from, to, std::move(hops)});
    }
  }
  // The links each first hop leads on to; a first hop shared by routes that differ after it gets private heads.
  std::map<std::pair<std::string, bool>, std::set<std::set<std::string>>> after_first;
  auto names_of = [](const Hops& hops) {
    std::set<std::string> names;
    for (const auto& hop : hops) names.insert(hop.first);
    return names;
  };
  for (const Directed& route : routes) after_first[route.hops.front()].insert(names_of(route.hops));
  for (const Directed& route : routes) {
    std::vector<sg4::LinkInRoute> links;
    if (after_first.at(route.hops.front()).size() > 1) {
      std::string name = "route:" + route.from->get_name() + ">" + route.to->get_name();
      links.emplace_back(zone_->create_link(name, kPrivateLinkBps)->set_latency(0)->seal());
    }
    for (const auto& [name, up] : route.hops) {
      links.emplace_back(sg4::SplitDuplexLink::by_name(name),
                         up ? sg4::LinkInRoute::Direction::UP : sg4::LinkInRoute::Direction::DOWN);
    }
    zone_->add_route(route.from->get_netpoint(), route.to->get_netpoint(), nullptr, nullptr, links, false);
  }
}

// SimGrid's LV08 model delivers 0.97 of a link's bandwidth (its model
// description: "bandwidth by .97"); CM02 as set by sim/simulation.cpp, all of it.
Platform::Platform(const Scenario& scenario)
    : bandwidth_factor_(scenario.network_model == "LV08" ? 0.97 : 1.0), stream_host_(scenario.host_stage == "streaming") {
  zone_ = sg4::create_full_zone("world");
  for (const HostSpec& spec : scenario.hosts) {
    auto& group = groups_[spec.name];
    if (spec.count == 1) {
      add_host(spec.name, spec);
      group.push_back(spec.name);
      continue;
    }
    for (int i = 0; i < spec.count; ++i) {
      std::string name = spec.name + "-" + std::to_string(i);
      add_host(name, spec);
      group.push_back(name);
    }
  }
  for (const NfsServerSpec& spec : scenario.nfs_servers) {
    sg4::Host* host = add_box(spec.name, spec.cpu, spec.nic_Bps, "-nic");
    servers_[spec.name] = std::make_unique<models::NfsServer>(spec, host, network_);
  }
  for (const SmbServerSpec& spec : scenario.smb_servers) {
    sg4::Host* host = add_box(spec.name, spec.cpu, spec.nic_Bps, "-nic");
    smb_servers_[spec.name] = std::make_unique<models::SmbServer>(spec, host, network_);
  }
  for (const ScsiArraySpec& spec : scenario.scsi_arrays) {
    sg4::Host* host = add_box(spec.name, spec.cpu, spec.port_Bps, "-port");
    arrays_[spec.name] = std::make_unique<models::ScsiArray>(spec, host, network_);
  }
  for (const NvmeTargetSpec& spec : scenario.nvme_targets) {
    sg4::Host* host = add_box(spec.name, spec.cpu, spec.port_Bps, "-port");
    nvme_targets_[spec.name] = std::make_unique<models::NvmeController>(spec, host, network_);
  }
  std::vector<PlannedRoute> planned;
  for (const LinkSpec& spec : scenario.links) {
    shared_links_.push_back(spec.name);
    add_link(spec.name, spec.bandwidth_Bps, spec.latency_s);
    for (sg4::Host* a : ends(spec.between[0])) {
      for (sg4::Host* b : ends(spec.between[1])) {
        if (network_.connected(a, b)) {
          throw ScenarioError(scenario.file + ":" + std::to_string(spec.line) + ": [[link]] '" + spec.name +
                              "': " + a->get_name() + " and " + b->get_name() + " are already linked");
        }
        PlannedRoute route{.a = a, .b = b};
        auto add = [&route](const std::string& name, bool up) {
          route.names.push_back(name);
          route.up.push_back(up);
        };
        if (nic_of_.contains(a->get_name())) add(nic_of_[a->get_name()], true);
        add(spec.name, true);
        if (nic_of_.contains(b->get_name())) add(nic_of_[b->get_name()], false);
        network_.add_route(a, b, route.names, route.up);
        planned.push_back(std::move(route));
      }
    }
  }
  add_routes(planned);
  zone_->seal();
  network_.open_endpoints();
  for (const CopySpec& copy : scenario.copies) {
    auto where = scenario.file + ":" + std::to_string(copy.line) + ": [[copy]]: ";
    std::string from = copy.from.substr(0, copy.from.find(':'));
    std::string to = copy.to.substr(0, copy.to.find(':'));
    for (SimHost* member : members(copy.on)) {
      for (const std::string& server : {from, to}) {
        sg4::Host* peer = server == "local" ? nullptr : box_host(server);
        if (peer != nullptr && !network_.connected(member->host, peer)) {
          throw ScenarioError(where + "host '" + member->name + "' has no [[link]] to server '" + server + "'");
        }
      }
    }
    if (servers_.contains(from) && servers_.contains(to) && from != to &&
        !network_.connected(servers_.at(from)->host(), servers_.at(to)->host())) {
      throw ScenarioError(where + "servers '" + from + "' and '" + to + "' need a [[link]] for an inter-server copy");
    }
  }
}

sg4::Host* Platform::box_host(const std::string& name) const {
  if (auto it = servers_.find(name); it != servers_.end()) return it->second->host();
  if (auto it = smb_servers_.find(name); it != smb_servers_.end()) return it->second->host();
  if (auto it = nvme_targets_.find(name); it != nvme_targets_.end()) return it->second->host();
  return arrays_.at(name)->host();
}

std::vector<sg4::Host*> Platform::ends(const std::string& name) {
  std::vector<sg4::Host*> out;
  for (const std::string& member : groups_.at(name)) {
    out.push_back(hosts_.contains(member) ? hosts_.at(member)->host : box_host(member));
  }
  return out;
}

std::vector<SimHost*> Platform::members(const std::string& name) {
  std::vector<SimHost*> out;
  for (const std::string& member : groups_.at(name)) out.push_back(hosts_.at(member).get());
  return out;
}

models::NfsServer* Platform::server(const std::string& name) {
  auto it = servers_.find(name);
  return it == servers_.end() ? nullptr : it->second.get();
}

models::SmbServer* Platform::smb_server(const std::string& name) {
  auto it = smb_servers_.find(name);
  return it == smb_servers_.end() ? nullptr : it->second.get();
}

models::ScsiArray* Platform::array(const std::string& name) {
  auto it = arrays_.find(name);
  return it == arrays_.end() ? nullptr : it->second.get();
}

models::NvmeController* Platform::nvme_target(const std::string& name) {
  auto it = nvme_targets_.find(name);
  return it == nvme_targets_.end() ? nullptr : it->second.get();
}

namespace {
// {name: count, ...}, each count an integer when whole (count_json).
nlohmann::json counts_json(std::initializer_list<std::pair<const char*, double>> counts) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, count] : counts) json[name] = count_json(count);
  return json;
}
}  // namespace

nlohmann::json Platform::metrics() const {
  nlohmann::json links = nlohmann::json::object();
  for (const auto& [name, bytes] : network_.link_bytes()) links[name] = count_json(bytes);
  nlohmann::json cpu = nlohmann::json::object();
  nlohmann::json disks = nlohmann::json::object();
  auto add_disk = [&](const models::DiskModel& disk) {
    disks[disk.name()] = {{"busy_s", disk.busy_s()}, {"read_bytes", count_json(disk.read_bytes())},
                          {"write_bytes", count_json(disk.write_bytes())}};
  };
  for (const auto& [name, host] : hosts_) {
    cpu[name] = host->cpu->busy_s();
    if (host->disk) add_disk(*host->disk);
  }
  nlohmann::json nfs = nlohmann::json::object();
  for (const auto& [name, server] : servers_) {
    cpu[name] = server->cpu().busy_s();
    add_disk(server->disk());
    const auto& c = server->counters();
    nfs[name] = counts_json({{"read", c.reads}, {"write", c.writes}, {"copy_sync", c.copies_sync}, {"copy_async", c.copies_async},
                 {"offload_status", c.offload_status}, {"offload_cancel", c.offload_cancel},
                 {"cb_offload", c.callbacks}, {"clone", c.clones},
                 {"copy_notify", c.copy_notify}, {"retransmits", c.retransmits},
                 {"redrives", c.redrives}, {"cb_offload_lost", c.callbacks_lost}});
  }
  nlohmann::json smb = nlohmann::json::object();
  for (const auto& [name, server] : smb_servers_) {
    cpu[name] = server->cpu().busy_s();
    add_disk(server->disk());
    const auto& c = server->counters();
    smb[name] = {{"read", c.reads}, {"write", c.writes}, {"resume_key", c.resume_keys},
                 {"copychunk", c.copychunk_requests}, {"chunks", c.chunks}, {"copychunk_refused", c.refused},
                 {"duplicate_extents", c.duplicate_extents}, {"metadata", c.metadata},
                 {"metadata_round_trips", c.metadata_round_trips}};
  }
  nlohmann::json scsi = nlohmann::json::object();
  for (const auto& [name, array] : arrays_) {
    cpu[name] = array->cpu().busy_s();
    add_disk(array->disk());
    const auto& c = array->counters();
    scsi[name] = counts_json({{"read", c.reads}, {"write", c.writes}, {"inquiry", c.inquiries},
                  {"extended_copy", c.extended_copies}, {"receive_copy_results", c.receive_copy_results},
                  {"populate_token", c.populate_tokens}, {"write_using_token", c.write_using_tokens},
                  {"receive_rod_token_information", c.rrti_polls}, {"check_condition", c.check_conditions},
                  {"tokens_expired", c.tokens_expired}, {"segments_failed", c.segments_failed},
                  {"unit_attentions", c.unit_attentions}});
  }
  nlohmann::json nvme = nlohmann::json::object();
  for (const auto& [name, target] : nvme_targets_) {
    cpu[name] = target->cpu().busy_s();
    add_disk(target->flash());
    const auto& c = target->counters();
    nvme[name] = counts_json({{"identify", c.identifies}, {"read", c.reads}, {"write", c.writes}, {"copy", c.copies},
                              {"copy_ranges", c.copy_ranges}, {"flush", c.flushes}, {"errors", c.errors}});
  }
  nlohmann::json client_hosts = nlohmann::json::array();
  for (const auto& [name, host] : hosts_) client_hosts.push_back(name);
  return {{"link_bytes", links},         {"network_retries", count_json(network_.retries())},         {"shared_links", shared_links_}, {"cpu_busy_s", cpu},
          {"client_hosts", client_hosts}, {"disks", disks},               {"nfs", nfs},
          {"smb", smb},                   {"scsi", scsi},                 {"nvme", nvme}};
}

std::vector<ResourceBusy> Platform::resource_busy() const {
  std::vector<ResourceBusy> out;
  for (const auto& [name, capacity] : capacity_Bps_) {
    out.push_back({"link", name, network_.busier_direction_bytes(name) / capacity});
  }
  auto add_cpu = [&](const std::string& name, const models::CpuModel& cpu) {
    out.push_back({"cpu", name, std::max(cpu.busiest_lane_s(), cpu.busy_s() / cpu.cores())});
  };
  for (const auto& [name, host] : hosts_) {
    add_cpu(name, *host->cpu);
    if (host->disk) out.push_back({"disk", host->disk->name(), host->disk->busy_s()});
  }
  for (const auto& [name, server] : servers_) {
    add_cpu(name, server->cpu());
    out.push_back({"disk", server->disk().name(), server->disk().busy_s()});
  }
  for (const auto& [name, server] : smb_servers_) {
    add_cpu(name, server->cpu());
    out.push_back({"disk", server->disk().name(), server->disk().busy_s()});
  }
  for (const auto& [name, array] : arrays_) {
    add_cpu(name, array->cpu());
    out.push_back({"disk", array->disk().name(), array->disk().busy_s()});
  }
  for (const auto& [name, target] : nvme_targets_) {
    add_cpu(name, target->cpu());
    out.push_back({"disk", target->flash().name(), target->flash().busy_s()});
  }
  return out;
}

std::vector<EnergySource> Platform::energy_sources() const {
  std::vector<EnergySource> out;
  auto add_box = [&](const std::string& name, sg4::Host* host, const models::DiskModel& disk) {
    out.push_back({EnergyPart::server, name, host});
    out.push_back({EnergyPart::server, disk.name(), disk.device()});
  };
  for (const auto& [name, host] : hosts_) {
    out.push_back({EnergyPart::client, name, host->host});
    if (host->disk) out.push_back({EnergyPart::client, host->disk->name(), host->disk->device()});
  }
  for (const auto& [name, server] : servers_) add_box(name, server->host(), server->disk());
  for (const auto& [name, server] : smb_servers_) add_box(name, server->host(), server->disk());
  for (const auto& [name, array] : arrays_) add_box(name, array->host(), array->disk());
  for (const auto& [name, target] : nvme_targets_) add_box(name, target->host(), target->flash());
  for (const auto& [name, bandwidth] : bandwidth_Bps_) out.push_back({EnergyPart::network, name, nullptr, bandwidth});
  return out;
}

std::pair<double, double> Platform::client_and_server_cpu_s() const {
  double client = 0, server = 0;
  for (const auto& [name, host] : hosts_) client += host->cpu->busy_s();
  for (const auto& [name, box] : servers_) server += box->cpu().busy_s();
  for (const auto& [name, box] : smb_servers_) server += box->cpu().busy_s();
  for (const auto& [name, box] : arrays_) server += box->cpu().busy_s();
  for (const auto& [name, box] : nvme_targets_) server += box->cpu().busy_s();
  return {client, server};
}

SimTargetFactory::SimTargetFactory(Platform& platform, SimHost& client, std::optional<bool> nfs_async)
    : platform_(platform), client_(client), nfs_async_(nfs_async),
      luns_([this](const std::string& address) { return open_lun(address); }),
      namespaces_([this](const std::string& address) { return open_namespace(address); }) {}

std::expected<std::unique_ptr<CopyTarget>, CopyError> SimTargetFactory::open(const CopyRequest& request) {
  auto target = open_target(request);
  if (target) tallies_[request.destination] = dynamic_cast<models::FaultCounted&>(**target).tally;
  return target;
}

// "ARRAY:LUN" as a transport to that array from this host.
std::expected<std::unique_ptr<ScsiTransport>, CopyError> SimTargetFactory::open_lun(const std::string& address) {
  auto colon = address.find(':');
  models::ScsiArray* array = colon == std::string::npos ? nullptr : platform_.array(address.substr(0, colon));
  if (array == nullptr) return std::unexpected(CopyError{ENOENT, address, "no such simulated array"});
  return std::make_unique<ScsiArrayTransport>(*array, address, address.substr(colon + 1), client_.host, *client_.cpu);
}

// "TARGET:nsN" (the workload's "#host.copy" suffix dropped) as a transport
// to that controller's namespace N from this host.
std::expected<std::unique_ptr<NvmeTransport>, CopyError> SimTargetFactory::open_namespace(const std::string& address) {
  auto colon = address.find(':');
  models::NvmeController* target = colon == std::string::npos ? nullptr : platform_.nvme_target(address.substr(0, colon));
  if (target == nullptr) return std::unexpected(CopyError{ENOENT, address, "no such simulated NVMe-oF target"});
  std::string name = address.substr(colon + 1, address.find('#') - colon - 1);
  if (!name.starts_with("ns") || name.size() < 3 || name.size() > 12 || name.find_first_not_of("0123456789", 2) != std::string::npos) {
    return std::unexpected(CopyError{ENOENT, address, "not a namespace (TARGET:nsN)"});
  }
  auto nsid = static_cast<std::uint32_t>(std::stoul(name.substr(2)));
  return std::make_unique<NvmeControllerTransport>(*target, address, nsid, client_.host, *client_.cpu);
}

// A copy between namespaces. Within one namespace (the workload names it
// as both ends) the destination range starts right after the source range.
std::expected<std::unique_ptr<CopyTarget>, CopyError> SimTargetFactory::open_namespaces(const CopyRequest& request) {
  auto box = [](const std::string& address) { return address.substr(0, address.find(':')); };
  models::NvmeController* target = platform_.nvme_target(box(request.source));
  if (platform_.nvme_target(box(request.destination)) == nullptr) {
    return std::unexpected(CopyError{EINVAL, request.destination, "a namespace copies only to a namespace"});
  }
  CopyRequest placed = request;
  auto without_suffix = [](const std::string& address) { return address.substr(0, address.find('#')); };
  if (without_suffix(request.source) == without_suffix(request.destination)) {
    const std::uint64_t block = target->block_bytes();
    placed.destination_offset = (request.source_offset + *request.length + block - 1) / block * block;
  }
  auto opened = namespaces_.open(placed);
  if (!opened) return std::unexpected(opened.error());
  return std::make_unique<FaultCountedTarget>(std::move(*opened));
}

std::shared_ptr<const models::FaultTally> SimTargetFactory::tally(const std::string& destination) const {
  auto it = tallies_.find(destination);
  return it == tallies_.end() ? nullptr : it->second;
}

std::expected<std::unique_ptr<CopyTarget>, CopyError> SimTargetFactory::open_target(const CopyRequest& request) {
  auto endpoint = [&](const std::string& address) -> std::expected<SimEndpoint, CopyError> {
    auto colon = address.find(':');
    std::string where = colon == std::string::npos ? "" : address.substr(0, colon);
    if (where == "local") {
      if (!client_.fs) return std::unexpected(CopyError{ENOENT, address, "host " + client_.name + " has no local disk"});
      return SimEndpoint{nullptr, client_.fs.get()};
    }
    if (models::SmbServer* smb = platform_.smb_server(where)) {
      // "SERVER:/share/path": the share is the first component (one mount per share).
      std::string path = address.substr(colon + 1);
      std::size_t start = path.find_first_not_of('/');
      std::string share = start == std::string::npos ? "" : path.substr(start, path.find('/', start) - start);
      return SimEndpoint{.smb = smb, .share = share};
    }
    models::NfsServer* server = platform_.server(where);
    if (server == nullptr) return std::unexpected(CopyError{ENOENT, address, "no such simulated server"});
    return SimEndpoint{server, nullptr};
  };
  if (!request.length) return std::unexpected(CopyError{EINVAL, request.source, "simulated copies need a length"});
  if (platform_.nvme_target(request.source.substr(0, request.source.find(':'))) != nullptr) return open_namespaces(request);
  auto array_of = [&](const std::string& address) { return platform_.array(address.substr(0, address.find(':'))); };
  if (array_of(request.source) != nullptr) {
    if (array_of(request.destination) == nullptr) {
      return std::unexpected(CopyError{EINVAL, request.destination, "a LUN copies only to a LUN"});
    }
    auto target = luns_.open(request);
    if (!target) return std::unexpected(target.error());
    return std::make_unique<FaultCountedTarget>(std::move(*target));
  }
  auto source = endpoint(request.source);
  if (!source) return std::unexpected(source.error());
  auto destination = endpoint(request.destination);
  if (!destination) return std::unexpected(destination.error());
  TargetInfo info;
  info.source_size = request.source_offset + *request.length;
  info.source_range = {request.source_offset, *request.length};
  info.destination_offset = request.destination_offset;
  auto fs_of = [](const SimEndpoint& e) { return e.server != nullptr ? "nfs" : e.smb != nullptr ? "smb2" : "local"; };
  info.source_fs = fs_of(*source);
  info.destination_fs = fs_of(*destination);
  return std::make_unique<SimFileTarget>(SimClient{client_.host, client_.cpu.get()}, *source,
                                                 *destination, info, nfs_async_, platform_.streams_host_copies());
}

}  // namespace offload::sim
