// Streamed READs and WRITEs of a host copy (models/host_stream.hpp): the
// server's CPU work for all the copy's chunks (memcpy and per_op_cpu,
// charged once per request) is one Exec; each chunk's wire transfer (its
// bytes and XDR header) and disk I/O stay per request, started when its
// lead passed. Each request's stack CPU stays per request on the
// connection's serial lane (stream_stacks: its call and reply as one piece
// per end, queued together): one core serialises a connection's READ
// replies and WRITE calls, and a chunk's request ends only once both ends
// processed it. Each stage's first message is real: its
// time (with the disk's latency for a READ) is every later request's lead,
// or a WRITE's tail (its reply), as a chunked request pays them one by one.
#include "models/nfs_server.hpp"

namespace offload::models {
namespace {

// One lane piece per end for the request's call and reply (their stack work summed).
void queue(std::vector<LanePiecePtr>& pieces, CpuModel* cpu, sg4::Host* peer, double sent, double received) {
  if (cpu == nullptr) return;
  if (LanePiecePtr piece = cpu->exchange_work(peer, sent, received)) pieces.push_back(std::move(piece));
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
  // A chunked READ's reply starts after its call and the disk's latency.
  stage.set_lead(call_s + disk_.latency_s());
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  stage.set_chunk_work([this, client](double chunk) {
    return std::vector<sg4::ActivityPtr>{disk_.start(chunk, DiskOp::read),
                                         network_.start_flow(host(), client, chunk + wire(NfsRpc::read, true))};
  });
}

void NfsServer::stream_writes(sg4::Host* client, double bytes, double requests, HostStream& stage) {
  double reply_s = 0;
  rpc([&] {  // the first reply: each chunked WRITE's reply follows its data
    double sent = sg4::Engine::get_clock();
    network_.send(host(), client, wire(NfsRpc::write, true));
    reply_s = sg4::Engine::get_clock() - sent;
  });
  stage.set_tail(reply_s);
  stage.set_chunk_work([this, client](double chunk) {
    return std::vector<sg4::ActivityPtr>{network_.start_flow(client, host(), chunk + wire(NfsRpc::write, false)),
                                         disk_.start(chunk, DiskOp::write)};
  });
  watch(stage, client);
  add_work(stage, cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
}

std::vector<LanePiecePtr> NfsServer::stream_stacks(sg4::Host* client, NfsRpc rpc, double bytes) {
  bool read = rpc == NfsRpc::read;
  double call = wire(rpc, false) + (read ? 0 : bytes);
  double reply = wire(rpc, true) + (read ? bytes : 0);
  std::vector<LanePiecePtr> pieces;
  CpuModel* peer = CpuModel::of(client);
  queue(pieces, peer, host(), call, reply);
  queue(pieces, &cpu_, client, reply, call);
  return pieces;
}

}  // namespace offload::models
