#include "models/nfs_server.hpp"

#include <algorithm>
#include <memory>

#include "models/detached_message.hpp"
#include "models/kernel_timer.hpp"
#include "models/stage.hpp"

namespace offload::models {

namespace {

void count_retry() {
  if (FaultTally* tally = current_tally()) tally->retries += 1;
}

}  // namespace

void NfsServer::await_up() {
  if (up_) return;
  std::unique_lock lock(*up_mutex_);
  while (!up_) came_up_->wait(lock);
}

// One RPC (request to reply): waits while the server is down, and sends it
// again when a restart lost it in flight.
void NfsServer::rpc(const std::function<void()>& attempt, const std::function<void()>& before_waiting) {
  for (;;) {
    if (!up_ && before_waiting) before_waiting();
    await_up();
    int epoch = epoch_;
    attempt();
    if (epoch == epoch_) return;
    ++counters_.retransmits;
    count_retry();
  }
}

void NfsServer::go_down() {
  ++outages_;
  up_ = false;
  ++epoch_;          // the async copies see it at their next stage and stop
  pending_async_ = 0;
  auto stages = std::move(restart_watchers_);  // streamed stages stop at once
  restart_watchers_.clear();
  for (auto& [id, stop] : stages) stop();
}

void NfsServer::come_up() {
  if (--outages_ > 0) return;
  std::unique_lock lock(*up_mutex_);
  up_ = true;
  came_up_->notify_all();
  auto waiting = std::move(up_waiters_);
  up_waiters_.clear();
  for (auto& then : waiting) soon(std::move(then));
}

void NfsServer::when_up(std::function<void()> then) {
  if (up_) {
    then();
  } else {
    up_waiters_.push_back(std::move(then));
  }
}

void NfsServer::rpc_detached(FaultTally* tally, DetachedAttempt attempt, std::function<void()> done) {
  when_up([this, tally, attempt = std::move(attempt), done = std::move(done)] {
    int epoch = epoch_;
    attempt([this, tally, attempt, done, epoch] {
      if (epoch == epoch_) {
        done();
        return;
      }
      ++counters_.retransmits;  // lost to a restart: sent again
      if (tally != nullptr) tally->retries += 1;
      rpc_detached(tally, attempt, done);
    });
  });
}

void NfsServer::round_trip_detached(sg4::Host* client, NfsRpc kind, FaultTally* tally, std::function<void()> done) {
  rpc_detached(
      tally,
      [this, client, kind, tally](std::function<void()> sent) {
        send_detached(network_, client, host(), wire(kind, false), tally, [this, client, kind, tally, sent] {
          cpu_.work(cpu_.copy_cost_s(0), [this, client, kind, tally, sent] {
            send_detached(network_, host(), client, wire(kind, true), tally, sent);
          });
        });
      },
      std::move(done));
}

NfsServer::NfsServer(const NfsServerSpec& spec, sg4::Host* host, Network& network)
    : spec_(spec),
      cpu_(host, spec.cpu),
      disk_(host, spec.name + "-disk", spec.disk),
      network_(network),
      copiers_(host, "nfs-copy") {}

void NfsServer::read(sg4::Host* client, double bytes) {
  rpc([&] {
    ++counters_.reads;
    network_.send(client, host(), wire(NfsRpc::read, false));
    disk_to_peer(disk_, cpu_, cpu_.copy_cost_s(bytes), network_, host(), client, bytes, bytes + wire(NfsRpc::read, true),
                 spec_.store_and_forward);
  });
}

void NfsServer::write(sg4::Host* client, double bytes) {
  rpc([&] {
    ++counters_.writes;
    peer_to_disk(disk_, cpu_, cpu_.copy_cost_s(bytes), network_, host(), client, bytes, bytes + wire(NfsRpc::write, false),
                 spec_.store_and_forward);
    network_.send(host(), client, wire(NfsRpc::write, true));
  });
}

void NfsServer::round_trip(sg4::Host* client, NfsRpc kind) {
  rpc([&] {
    network_.send(client, host(), wire(kind, false));
    cpu_.work_async(cpu_.copy_cost_s(0))->wait();
    network_.send(host(), client, wire(kind, true));
  });
}

// The data part of a server-side copy: read and write the disk at once,
// one memcpy of server CPU.
void NfsServer::local_copy(double bytes) { disk_to_disk(disk_, disk_, &cpu_, cpu_.copy_cost_s(bytes), bytes); }

double NfsServer::copy(sg4::Host* client, double bytes, bool async, const InterruptFlag& interrupt) {
  if (async && pending_async_ < spec_.copy.max_async) {
    ++counters_.copies_async;
    auto moved = run_async(client, bytes, interrupt, nullptr, nullptr);  // stages of local_copy, driven inline
    if (moved) return *moved;
    return copy(client, bytes, async, interrupt);  // lost to a restart: redriven from the start
  }
  double moved = std::min(bytes, spec_.copy.sync_cap_bytes);
  rpc([&] {
    ++counters_.copies_sync;
    network_.send(client, host(), wire(NfsRpc::copy_sync, false));
    local_copy(moved);
    network_.send(host(), client, wire(NfsRpc::copy_sync, true));
  });
  return moved;
}

double NfsServer::copy_from(NfsServer& source, sg4::Host* client, double bytes, const InterruptFlag& interrupt) {
  ++source.counters_.copy_notify;
  source.round_trip(client, NfsRpc::copy_notify);  // the source server allows this one to read
  ++counters_.copies_async;
  auto open_source = [this, &source] { network_.send(host(), source.host(), wire(NfsRpc::open, false)); };
  auto moved = run_async(client, bytes, interrupt, open_source, [this, &source](double stage) {
    if (source.disk_.latency_s() > 0) sg4::this_actor::sleep_for(source.disk_.latency_s());
    auto in = source.disk_.start(stage, DiskOp::read);
    auto send_work = source.cpu_.work_async(source.cpu_.copy_cost_s(stage));
    auto data = network_.send_async(source.host(), host(), stage);
    auto out = disk_.start(stage, DiskOp::write);
    auto receive_work = cpu_.work_async(cpu_.copy_cost_s(stage));
    in->wait();
    send_work->wait();
    data.wait();
    out->wait();
    receive_work->wait();
  });
  if (moved) return *moved;
  return copy_from(source, client, bytes, interrupt);  // lost to a restart: redriven from the start
}

bool NfsServer::clone(sg4::Host* client, double bytes) {
  bool ok = spec_.copy.clone && spec_.fs.reflink;
  double cost = ok ? spec_.fs.clone_fixed_s + spec_.fs.clone_per_GiB_s * bytes / 1073741824.0 : cpu_.copy_cost_s(0);
  rpc([&] {
    ++counters_.clones;
    network_.send(client, host(), wire(NfsRpc::clone, false));
    cpu_.work_async(cost)->wait();
    network_.send(host(), client, wire(NfsRpc::clone, true));
  });
  return ok;
}

}  // namespace offload::models
