// Streamed READs and WRITEs of a host copy (models/host_stream.hpp): the
// server's CPU work for all the copy's chunks (memcpy and per_op_cpu,
// charged once per request) is one Exec; each chunk's wire transfer (its
// bytes and XDR header) is a share of the stage's weighted flow
// (models/stream_wire.hpp) and its disk I/O stays per request, both started
// when its lead passed (a WRITE's I/O after the disk's latency, as peer_to_disk).
// Each message's stack CPU stays per request on the connection's serial
// lane (stream_stacks): one core serialises a connection's calls and
// replies, and a chunk's request ends only once both ends processed it.
// Each stage's first message is real: its time is every later request's
// lead (a READ's call, then the disk's latency) or tail (a WRITE's reply),
// as a chunked request pays them one by one.
#include "models/nfs_server.hpp"

namespace offload::models {
namespace {

void queue(std::vector<LanePiecePtr>& pieces, CpuModel* cpu, sg4::Host* peer, double bytes, StackSide side) {
  if (cpu == nullptr) return;
  if (LanePiecePtr piece = cpu->message_work(peer, bytes, side)) pieces.push_back(std::move(piece));
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
  stage.set_lead(call_s, disk_.latency_s());
  watch(stage, client);
  stage.add_work(cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
  stage.set_wire(std::make_unique<StreamWire>(network_, host(), client, bytes + requests * wire(NfsRpc::read, true)));
  stage.set_chunk_work([this, &stage](double chunk) {
    auto io = disk_.start(chunk, DiskOp::read);
    if (spec_.store_and_forward) io->wait();  // read whole before the reply leaves (models/stage.hpp)
    auto reply = stage.wire()->begin(chunk + wire(NfsRpc::read, true));
    if (!stage.wire()->wait(reply)) stage.cancel();  // a link went down under it
    return std::vector<sg4::ActivityPtr>{io};
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
  // As a chunked WRITE: its data and its disk I/O at once, the I/O after
  // the disk's latency (models/stage.hpp peer_to_disk).
  stage.set_wire(std::make_unique<StreamWire>(network_, client, host(), bytes + requests * wire(NfsRpc::write, false)));
  stage.set_chunk_work([this, &stage](double chunk) {
    StreamWire& line = *stage.wire();
    auto data = line.begin(chunk + wire(NfsRpc::write, false));
    // Store and forward: received whole before it is written; else written
    // as it arrives, from the disk's latency on.
    bool arrived = spec_.store_and_forward ? line.wait(data) : false;
    double write_at = sg4::Engine::get_clock() + disk_.latency_s();
    if (!arrived && !line.stopped()) arrived = line.wait(data, write_at);
    if (line.stopped()) {  // a link went down under it
      stage.cancel();
      return std::vector<sg4::ActivityPtr>{};
    }
    if (sg4::Engine::get_clock() < write_at) sg4::this_actor::sleep_until(write_at);
    auto io = disk_.start(chunk, DiskOp::write);
    if (!arrived && !line.wait(data)) stage.cancel();
    return std::vector<sg4::ActivityPtr>{io};
  });
  watch(stage, client);
  stage.add_work(cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
}

void NfsServer::count_streamed_retransmit() {
  ++counters_.retransmits;
  if (FaultTally* tally = current_tally()) tally->retries += 1;
}

std::vector<LanePiecePtr> NfsServer::stream_stacks(sg4::Host* client, NfsRpc rpc, double bytes, bool reply) {
  bool read = rpc == NfsRpc::read;
  double message = wire(rpc, reply) + (read == reply ? bytes : 0);  // a READ's reply or a WRITE's call carries the data
  sg4::Host* from = reply ? host() : client;
  sg4::Host* to = reply ? client : host();
  std::vector<LanePiecePtr> pieces;
  queue(pieces, CpuModel::of(from), to, message, StackSide::send);
  queue(pieces, CpuModel::of(to), from, message, StackSide::receive);
  return pieces;
}

}  // namespace offload::models
