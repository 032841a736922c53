// bare_simgrid_copy: the scale benchmark's workload (bench/sim_scale.sh) in
// plain SimGrid 3.32, without the engine: the same platform (10 groups of
// clients with 10 Gb/s split-duplex NICs, each group on its own 100 Gb/s
// split-duplex link to its own filer with a disk) and, per copy, the same
// activities the engine-in-sim run issues (models/nfs_server.cpp,
// models/stage.cpp, sim/targets/sim_file_target.cpp), driven by one actor per
// copy that waits on all its activities at once (Activity::wait_any_for).
// Not modelled here: each message's stack work on its connection's serial
// lane (models/serial_lane.hpp) and the CPU of a host buffer's first fill;
// host rows compare like for like with sim_scale.sh --no-stacks, which
// makes both free in the engine's scenario.
// A filer disk is, as in models/disk.hpp, an Exec on a one-core host whose
// flops are nanoseconds of device time (bytes / read or write bandwidth);
// transfers go through models/network.cpp (mailbox comms with a permanent
// receiver or a pooled sender on the far end), as the engine's do, and the
// clients and filers have a models::CpuModel, so every message also runs its
// TCP/RPC stack work on a serial lane per connection at both ends, as in the
// engine's run, and each CPU execution is a job of that model (processor
// sharing of the cores in virtual time, models/cpu.hpp), as the engine's are; a copy here does not wait for that work (the engine's
// Transfer::wait does), so its simulated time ends a little earlier (tens to
// hundreds of microseconds in bench/sim_scale.sh's runs).
//   host: map round trip; 64 MiB chunks, <= 4 ops and <= 2 reads in flight;
//     read = client exec + request, latency, disk read + filer exec + data;
//     write = client exec + data + filer exec, latency + disk write, reply;
//     finish round trip.
//   nfs-copy-async: map round trip; COPY; reply || (latency, disk read +
//     disk write + filer exec per 256 MiB stage, CB_OFFLOAD); OFFLOAD_STATUS
//     every poll period until the callback; finish round trip.
// Usage: bare_simgrid_copy N host|nfs-copy-async [--chunk-mib M]
//   [--poll-s P] [--jitter-s J] [--seed S] [--groups G] [--max-hosts H] [--cfg=simgrid:option ...]
// Prints one JSON line: n, hosts, method, activities, sim_time_s, wall_s.
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "models/actor_pool.hpp"
#include "models/cpu.hpp"
#include "models/network.hpp"

namespace sg4 = simgrid::s4u;

namespace {

/// Workload knobs (the rest are the fixed constants below, as in sim_scale.sh).
struct Params {
  int copies = 100;                ///< copies in all
  bool host = true;                ///< host-mediated; false: async server-side COPY
  double chunk_B = 64.0 * 1048576; ///< bytes per host read/write
  double poll_s = 5;               ///< OFFLOAD_STATUS period, seconds
  double jitter_s = 1;             ///< per-host start spread, seconds
  unsigned seed = 1;               ///< seeds the start spread (as the scenario's seed)
  int groups = 10;                 ///< filer groups (fewer when there are fewer hosts)
  int max_hosts = 1000;            ///< client hosts at most (sim_scale.sh --max-hosts)
};

/// Bytes per copy.
constexpr double kSize = 1073741824.0;
/// Copies per client host (all in flight at once) while there are at most
/// Params::max_hosts hosts; past that, n / max_hosts per host (as sim_scale.sh).
constexpr int kPerHost = 10;
/// Operations, and reads among them, in flight per copy (engine copy_depth 4).
constexpr int kCopyDepth = 4, kReadDepth = 2;
/// Flop/s per core (models::kFlopsPerCpuSecond): one flop is a nanosecond of CPU.
constexpr double kFlops = 1e9;
/// Bytes of an RPC request or reply without data.
constexpr double kRpc = 200;
/// Client memcpy bandwidth (B/s) and CPU per operation (s).
constexpr double kClientMemcpy = 6e9, kClientOp = 20e-6;
/// Filer memcpy bandwidth (B/s) and CPU per operation (s).
constexpr double kFilerMemcpy = 10e9, kFilerOp = 10e-6;
/// Filer disk latency per I/O (s), read and write bandwidths (B/s).
constexpr double kDiskLatency = 100e-6, kDiskRead = 20e9, kDiskWrite = 16e9;
/// Bytes per server-side copy stage (models::kAsyncStageBytes).
constexpr double kStage = 256.0 * 1048576;
/// "No delay pending" (Op::wake).
constexpr double kNever = -1;

/// SimGrid activities started by all copies (comms, execs, I/Os; not sleeps).
long activities = 0;

/// Every transfer, as in the engine-in-sim run.
offload::models::Network* network = nullptr;

/// One filer group: the filer and its disk (a host whose flop is a nanosecond of device time).
struct Group {
  sg4::Host* filer;
  sg4::Host* disk;
};

/// What an operation does (a stage machine each, see Copy::step).
enum class Kind { trip, read, write, copy_request, server_copy, client_wait };

/// One operation of a copy in flight: its stage and what the stage waits for.
struct Op {
  Kind kind;
  double bytes = 0;
  int stage = 0;
  std::vector<sg4::ActivityPtr> pending;  // the stage ends when these are done
  double wake = kNever;                   // simulated time of a delay, or kNever
  sg4::ExecPtr client_cpu;                // waited for at the end of a read/write
  double copied = 0;                      // server_copy: bytes whose stage has started
  bool status_done = false;               // client_wait: the last OFFLOAD_STATUS said done
  bool ended = false;
};

/// One copy, run by one actor on its client host.
class Copy {
 public:
  /// A copy of kSize bytes on `client` from and to `g`'s filer.
  Copy(const Params& p, sg4::Host* client, Group g) : p_(p), client_(client), g_(g) {}
  /// The actor's body: sleeps until `start` (simulated seconds), then copies.
  void run(double start);

 private:
  sg4::ActivityPtr send(sg4::Host* from, sg4::Host* to, double bytes) {
    ++activities;
    return network->send_async(from, to, bytes).comm();
  }
  sg4::ExecPtr exec(sg4::Host* on, double seconds) {
    ++activities;
    return offload::models::CpuModel::of(on)->work_async(seconds);  // the cores the lanes share
  }
  sg4::ActivityPtr io(double bytes, bool read) {
    ++activities;
    return sg4::this_actor::exec_init(bytes / (read ? kDiskRead : kDiskWrite) * kFlops)->set_host(g_.disk)->start();
  }
  double client_cost(double b) const { return b / kClientMemcpy + kClientOp; }
  double filer_cost(double b) const { return b / kFilerMemcpy + kFilerOp; }
  void add(Kind kind, double bytes = 0) { ops_.push_back({.kind = kind, .bytes = bytes}); step(ops_.back()); }
  void step(Op& op);       // starts the op's next stage
  void on_end(const Op& op);
  void refill();           // host path: issue reads while the pipeline has room

  const Params& p_;
  sg4::Host* client_;
  Group g_;
  std::vector<Op> ops_;
  int trips_done_ = 0, chunks_issued_ = 0, reads_ = 0, in_flight_ = 0;
  bool server_done_ = false, notified_ = false, finishing_ = false;
};

void Copy::step(Op& op) {
  double now = sg4::Engine::get_clock();
  sg4::Host* f = g_.filer;
  switch (op.kind) {
    case Kind::trip:  // request, filer per-op CPU, reply
      if (op.stage == 0) op.pending = {send(client_, f, kRpc)};
      else if (op.stage == 1) op.pending = {exec(f, filer_cost(0))};
      else if (op.stage == 2) op.pending = {send(f, client_, kRpc)};
      else op.ended = true;
      break;
    case Kind::read:
      if (op.stage == 0) {
        op.client_cpu = exec(client_, client_cost(op.bytes));
        op.pending = {send(client_, f, kRpc)};
      } else if (op.stage == 1) {
        op.wake = now + kDiskLatency;
      } else if (op.stage == 2) {
        op.pending = {io(op.bytes, true), exec(f, filer_cost(op.bytes)),
                      send(f, client_, op.bytes + kRpc)};
      } else if (op.stage == 3) {
        op.pending = {op.client_cpu};
      } else {
        op.ended = true;
      }
      break;
    case Kind::write:
      if (op.stage == 0) {
        op.client_cpu = exec(client_, client_cost(op.bytes));
        op.pending = {send(client_, f, op.bytes + kRpc), exec(f, filer_cost(op.bytes))};
        op.wake = now + kDiskLatency;  // the disk write starts after the latency
      } else if (op.stage == 1) {
        op.pending.push_back(io(op.bytes, false));
      } else if (op.stage == 2) {
        op.pending = {send(f, client_, kRpc)};
      } else if (op.stage == 3) {
        op.pending = {op.client_cpu};
      } else {
        op.ended = true;
      }
      break;
    case Kind::copy_request:
      if (op.stage == 0) op.pending = {send(client_, f, kRpc)};
      else op.ended = true;
      break;
    case Kind::server_copy:  // in stages of kStage bytes, each paying the disk latency
      if (op.stage == 0) {
        op.wake = now + kDiskLatency;
      } else if (op.stage == 1) {
        double piece = std::min(kStage, op.bytes - op.copied);
        op.copied += piece;
        op.pending = {io(piece, true), io(piece, false),
                      exec(f, filer_cost(piece))};
      } else if (op.stage == 2 && op.copied < op.bytes) {
        op.wake = now + kDiskLatency;
        op.stage = 0;  // the next stage is 1 again
      } else if (op.stage == 2) {
        server_done_ = true;
        op.pending = {send(f, client_, kRpc)};  // CB_OFFLOAD
      } else {
        notified_ = true;
        for (Op& other : ops_) {
          if (other.kind == Kind::client_wait && other.stage == 2 && other.wake != kNever) other.wake = now;
        }
        op.ended = true;
      }
      break;
    case Kind::client_wait:
      if (op.stage == 0) {
        op.pending = {send(f, client_, kRpc)};  // reply with the callback id
      } else if (op.stage == 1 || op.stage == 4) {
        if (notified_ || op.status_done) {
          op.ended = true;
        } else {
          op.wake = now + p_.poll_s;
          op.stage = 1;  // the next stage is 2 again
        }
      } else if (op.stage == 2) {
        if (notified_) op.ended = true;
        else op.pending = {send(client_, f, kRpc)};  // OFFLOAD_STATUS
      } else if (op.stage == 3) {
        op.status_done = server_done_;  // what the status reply says
        op.pending = {send(f, client_, kRpc)};
      }
      break;
  }
  ++op.stage;
}

void Copy::refill() {
  int chunks = static_cast<int>((kSize + p_.chunk_B - 1) / p_.chunk_B);
  while (chunks_issued_ < chunks && reads_ < kReadDepth && in_flight_ < kCopyDepth) {
    double left = kSize - chunks_issued_ * p_.chunk_B;
    ++chunks_issued_;
    ++reads_;
    ++in_flight_;
    add(Kind::read, std::min(left, p_.chunk_B));
  }
  if (chunks_issued_ == chunks && in_flight_ == 0 && !finishing_) {
    finishing_ = true;
    add(Kind::trip);  // COMMIT + CLOSE
  }
}

void Copy::on_end(const Op& op) {
  switch (op.kind) {
    case Kind::trip:
      if (++trips_done_ > 1) return;  // the finish trip: the copy is done
      if (p_.host) refill();
      else add(Kind::copy_request);
      break;
    case Kind::read:
      --reads_;
      add(Kind::write, op.bytes);
      refill();
      break;
    case Kind::write:
      --in_flight_;
      refill();
      break;
    case Kind::copy_request:
      add(Kind::server_copy, kSize);
      add(Kind::client_wait);
      break;
    case Kind::client_wait:
      add(Kind::trip);
      break;
    case Kind::server_copy:
      break;
  }
}

void Copy::run(double start) {
  sg4::this_actor::sleep_until(start);
  add(Kind::trip);  // SEEK / OPEN
  std::vector<sg4::ActivityPtr> all;
  std::vector<std::pair<std::size_t, std::size_t>> owner;  // (op, pending index) of each in `all`
  while (!ops_.empty()) {
    all.clear();
    owner.clear();
    double wake = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      for (std::size_t j = 0; j < ops_[i].pending.size(); ++j) {
        all.push_back(ops_[i].pending[j]);
        owner.emplace_back(i, j);
      }
      if (ops_[i].wake != kNever) wake = std::min(wake, ops_[i].wake);
    }
    double now = sg4::Engine::get_clock();
    ssize_t done = -1;
    if (all.empty()) sg4::this_actor::sleep_until(wake);
    else done = sg4::Activity::wait_any_for(all, wake == std::numeric_limits<double>::infinity() ? -1 : wake - now);
    std::vector<std::size_t> advance;
    if (done >= 0 && done < static_cast<ssize_t>(all.size())) {
      auto [i, j] = owner[done];
      ops_[i].pending.erase(ops_[i].pending.begin() + static_cast<std::ptrdiff_t>(j));
      if (ops_[i].pending.empty() && ops_[i].wake == kNever) advance.push_back(i);
    } else {
      now = sg4::Engine::get_clock();
      for (std::size_t i = 0; i < ops_.size(); ++i) {
        if (ops_[i].wake != kNever && ops_[i].wake <= now + 1e-12) {
          ops_[i].wake = kNever;
          advance.push_back(i);
        }
      }
    }
    for (std::size_t i : advance) {
      do step(ops_[i]);  // may append to ops_: index, not reference
      while (!ops_[i].ended && ops_[i].pending.empty() && ops_[i].wake == kNever);
    }
    std::vector<Op> ended;
    for (auto it = ops_.begin(); it != ops_.end();) {
      if (it->ended) {
        ended.push_back(std::move(*it));
        it = ops_.erase(it);
      } else {
        ++it;
      }
    }
    for (const Op& op : ended) on_end(op);
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto wall_start = std::chrono::steady_clock::now();
  offload::models::map_actor_stacks();  // as sim/simulation.cpp
  sg4::Engine engine(&argc, argv);  // takes the --cfg options out of argv
  sg4::Engine::set_config("contexts/stack-size:256");  // KiB, as sim/simulation.cpp
  sg4::Engine::set_config("contexts/guard-size:0");
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s N host|nfs-copy-async [--chunk-mib M] [--poll-s P] [--jitter-s J] [--seed S] [--groups G] [--max-hosts H]\n",
                 argv[0]);
    return 2;
  }
  Params p;
  p.copies = std::atoi(argv[1]);
  std::string method = argv[2];
  p.host = method == "host";
  if (!p.host && method != "nfs-copy-async") {
    std::fprintf(stderr, "bare_simgrid_copy: unknown method '%s'\n", method.c_str());
    return 2;
  }
  for (int i = 3; i < argc; ++i) {
    std::string key = argv[i];
    double value = i + 1 < argc ? std::atof(argv[++i]) : 0;
    if (key == "--chunk-mib") p.chunk_B = value * 1048576;
    else if (key == "--poll-s") p.poll_s = value;
    else if (key == "--jitter-s") p.jitter_s = value;
    else if (key == "--seed") p.seed = static_cast<unsigned>(value);
    else if (key == "--groups") p.groups = std::max(1, static_cast<int>(value));
    else if (key == "--max-hosts") p.max_hosts = std::max(1, static_cast<int>(value));
    else { std::fprintf(stderr, "bare_simgrid_copy: unknown option '%s'\n", key.c_str()); return 2; }
  }
  int hosts = std::max(1, std::min(p.copies / kPerHost, p.max_hosts));
  int per_host = std::max(kPerHost, p.copies / hosts);
  int groups = std::min(p.groups, hosts);
  int per_group = hosts / groups;

  auto* zone = sg4::create_full_zone("world");
  // The TCP/RPC stack work of every message on both ends (models/network.cpp
  // charges it on a host with a CpuModel: one serial lane per connection),
  // with the default stack costs, as in the engine-in-sim run.
  std::vector<std::unique_ptr<offload::models::CpuModel>> cpus;
  auto add_cpu = [&](sg4::Host* h, int cores, double memcpy_Bps, double per_op_s) {
    offload::models::CpuSpec spec;
    spec.cores = cores;
    spec.memcpy_Bps = memcpy_Bps;
    spec.per_op_s = per_op_s;
    cpus.push_back(std::make_unique<offload::models::CpuModel>(h, spec));
  };
  std::vector<std::vector<sg4::Host*>> clients(groups);
  std::vector<Group> filers;
  for (int g = 0; g < groups; ++g) {
    for (int i = 0; i < per_group; ++i) {
      std::string name = "c" + std::to_string(g) + (per_group > 1 ? "-" + std::to_string(i) : "");
      auto* h = zone->create_host(name, kFlops)->set_core_count(8);
      zone->create_split_duplex_link(name + "-nic", 10e9 / 8)->seal();
      h->seal();
      add_cpu(h, 8, kClientMemcpy, kClientOp);
      clients[g].push_back(h);
    }
  }
  for (int g = 0; g < groups; ++g) {
    std::string name = "f" + std::to_string(g);
    auto* h = zone->create_host(name, kFlops)->set_core_count(32);
    h->seal();
    add_cpu(h, 32, kFilerMemcpy, kFilerOp);
    auto* d = zone->create_host("disk:" + name + "-disk", kFlops);
    d->seal();
    filers.push_back({h, d});
  }
  offload::models::Network net;
  network = &net;
  for (int g = 0; g < groups; ++g) {
    std::string lan_name = "lan" + std::to_string(g);
    auto* lan = zone->create_split_duplex_link(lan_name, 100e9 / 8);
    lan->set_latency(50e-6)->seal();
    for (sg4::Host* c : clients[g]) {
      std::vector<sg4::LinkInRoute> route{{sg4::SplitDuplexLink::by_name(c->get_name() + "-nic"), sg4::LinkInRoute::Direction::UP},
                                          {lan, sg4::LinkInRoute::Direction::UP}};
      zone->add_route(c->get_netpoint(), filers[g].filer->get_netpoint(), nullptr, nullptr, route, true);
      net.add_route(c, filers[g].filer, {c->get_name() + "-nic", lan_name}, {true, true});
    }
  }
  zone->seal();
  net.open_endpoints();

  std::mt19937_64 random(p.seed);  // the same draws, in the same order, as sim/simulation.cpp
  std::vector<std::unique_ptr<Copy>> copies;
  for (int g = 0; g < groups; ++g) {
    for (sg4::Host* c : clients[g]) {
      double start = p.jitter_s > 0 ? std::uniform_real_distribution<double>(0, p.jitter_s)(random) : 0;
      for (int k = 0; k < per_host; ++k) {
        copies.push_back(std::make_unique<Copy>(p, c, filers[g]));
        Copy* copy = copies.back().get();
        sg4::Actor::create("copy", c, [copy, start] { copy->run(start); });
      }
    }
  }
  engine.run();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::printf("{\"n\": %zu, \"hosts\": %d, \"method\": \"%s\", \"activities\": %ld, \"sim_time_s\": %.6f, \"wall_s\": %.3f}\n",
              copies.size(), hosts, method.c_str(), activities, sg4::Engine::get_clock(), wall);
  return 0;
}
