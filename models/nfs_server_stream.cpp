// Streamed READs and WRITEs of a host copy (models/host_stream.hpp): the
// resources one chunk's READ or WRITE uses (models/nfs_server.cpp: the
// wire, the server's CPU and disk, both ends' stack CPU per message) as one
// activity each for all the copy's chunks; per-request costs (the server's
// per_op_cpu, each message's stack cycles and XDR bytes) are charged in bulk,
// once per request.
#include "models/nfs_server.hpp"

namespace offload::models {
namespace {

/// Stack CPU of `count` messages of `bytes` each on `cpu`'s host.
double stack_s(const CpuModel& cpu, double count, double bytes, StackSide side) {
  return count > 0 ? count * cpu.stack_cost_s(bytes, side) : 0;
}

void add_work(HostStream& stage, CpuModel& cpu, double cpu_s) {
  if (cpu_s > 0) stage.add(cpu.work_async(cpu_s));
}

}  // namespace

// The stage stops at once when a link of its route goes down or this server restarts.
void NfsServer::watch(HostStream& stage, sg4::Host* client) {
  int link_watch = network_.watch_route(host(), client, [&stage] { stage.cancel(); });
  int id = next_watcher_++;
  restart_watchers_[id] = [&stage] { stage.cancel(); };
  stage.on_stop([this, link_watch, id] {
    network_.forget(link_watch);
    restart_watchers_.erase(id);
  });
}

void NfsServer::stream_reads(sg4::Host* client, double bytes, double requests, HostStream& stage) {
  rpc([&] { network_.send(client, host(), wire(NfsRpc::read, false)); });  // the first call
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  double call = wire(NfsRpc::read, false);
  double reply = bytes / requests + wire(NfsRpc::read, true);
  stage.add(disk_.start(bytes, DiskOp::read));
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  stage.add(network_.start_flow(host(), client, requests * reply), requests * reply);
  add_work(stage, cpu_, stack_s(cpu_, requests, reply, StackSide::send) + stack_s(cpu_, requests - 1, call, StackSide::receive));
  if (CpuModel* peer = CpuModel::of(client)) {
    add_work(stage, *peer, stack_s(*peer, requests, reply, StackSide::receive) + stack_s(*peer, requests - 1, call, StackSide::send));
  }
}

void NfsServer::stream_writes(sg4::Host* client, double bytes, double requests, HostStream& stage) {
  double call = bytes / requests + wire(NfsRpc::write, false);
  double reply = wire(NfsRpc::write, true);
  stage.add(network_.start_flow(client, host(), requests * call), requests * call);
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  add_work(stage, cpu_, stack_s(cpu_, requests, call, StackSide::receive) + stack_s(cpu_, requests, reply, StackSide::send));
  if (CpuModel* peer = CpuModel::of(client)) {
    add_work(stage, *peer, stack_s(*peer, requests, call, StackSide::send) + stack_s(*peer, requests, reply, StackSide::receive));
  }
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  stage.add(disk_.start(bytes, DiskOp::write));
}

}  // namespace offload::models
