// Streamed READs and WRITEs of a host copy (models/host_stream.hpp): the
// resources one chunk's READ or WRITE uses (models/nfs_server.cpp: the
// wire, the server's CPU and disk) as one activity each for all the copy's
// chunks; per-request costs (the server's per_op_cpu, each message's XDR
// bytes) are charged in bulk, once per request. Each message's stack CPU
// stays per request on the connection's serial lane (stream_stacks): one
// core serialises a connection's READ replies and WRITE calls, and a
// chunk's request ends only once both ends processed it. Each stage's first request is a real message whose
// time (with the disk's latency) is every later request's lead and tail
// (HostStream::set_lead): a chunked request pays them one by one.
#include "models/nfs_server.hpp"

namespace offload::models {
namespace {

void queue(std::vector<LanePiecePtr>& pieces, CpuModel* cpu, sg4::Host* peer, double bytes, StackSide side) {
  if (cpu == nullptr) return;
  if (LanePiecePtr piece = cpu->message_work(peer, bytes, side)) pieces.push_back(std::move(piece));
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
  double call_s = 0;
  rpc([&] {  // the first call
    double sent = sg4::Engine::get_clock();
    network_.send(client, host(), wire(NfsRpc::read, false));
    call_s = sg4::Engine::get_clock() - sent;
  });
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  // A chunked READ's data flows after its call, the disk's latency and the reply's latency.
  stage.set_lead(2 * call_s + disk_.latency_s());
  double reply = bytes / requests + wire(NfsRpc::read, true);
  stage.add(disk_.start(bytes, DiskOp::read));
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  stage.add(network_.start_flow(host(), client, requests * reply), requests * reply);
}

void NfsServer::stream_writes(sg4::Host* client, double bytes, double requests, HostStream& stage) {
  double reply_s = 0;
  rpc([&] {  // the first reply: a chunked WRITE's data pays this latency first, its reply after
    double sent = sg4::Engine::get_clock();
    network_.send(host(), client, wire(NfsRpc::write, true));
    reply_s = sg4::Engine::get_clock() - sent;
  });
  stage.set_lead(reply_s);
  stage.set_tail(reply_s);
  double call = bytes / requests + wire(NfsRpc::write, false);
  stage.add(network_.start_flow(client, host(), requests * call), requests * call);
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  if (disk_.latency_s() > 0) sg4::this_actor::sleep_for(disk_.latency_s());
  stage.add(disk_.start(bytes, DiskOp::write));
}

std::vector<LanePiecePtr> NfsServer::stream_stacks(sg4::Host* client, NfsRpc rpc, double bytes) {
  bool read = rpc == NfsRpc::read;
  double call = wire(rpc, false) + (read ? 0 : bytes);
  double reply = wire(rpc, true) + (read ? bytes : 0);
  std::vector<LanePiecePtr> pieces;
  CpuModel* peer = CpuModel::of(client);
  queue(pieces, peer, host(), call, StackSide::send);
  queue(pieces, &cpu_, client, call, StackSide::receive);
  queue(pieces, &cpu_, client, reply, StackSide::send);
  queue(pieces, peer, host(), reply, StackSide::receive);
  return pieces;
}

}  // namespace offload::models
