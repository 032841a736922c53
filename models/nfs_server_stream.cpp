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

#include "models/detached_message.hpp"
#include "models/kernel_timer.hpp"

namespace offload::models {
namespace {

void queue(std::vector<LanePiecePtr>& pieces, CpuModel* cpu, sg4::Host* peer, double bytes, StackSide side) {
  if (cpu == nullptr) return;
  if (LanePiecePtr piece = cpu->message_work(peer, bytes, side)) pieces.push_back(std::move(piece));
}

}  // namespace

// One streamed WRITE's chunk work, followed without an actor: its data
// leaves at once; its disk I/O starts the disk's latency after that (store
// and forward: after it arrived whole), and the chunk's work ends once
// both its data arrived and its I/O ended.
struct NfsServer::StreamedWrite : public std::enable_shared_from_this<NfsServer::StreamedWrite> {
  StreamedWrite(NfsServer* server, HostStream* stage, double chunk, HostStream::ChunkEnd end)
      : server(server), stage(stage), chunk(chunk), end(std::move(end)) {}
  NfsServer* server;
  HostStream* stage;
  double chunk;
  HostStream::ChunkEnd end;
  StreamWire::TicketPtr data;
  double write_at = 0;          // simulated time its I/O starts
  bool arrived = false;         // its data arrived
  bool data_ended = false;      // arrived, or its wire stopped
  bool io_started = false;
  bool io_ended = false;

  void begin() {
    end.sent();
    StreamWire& line = *stage->wire();
    data = line.begin(chunk + server->wire(NfsRpc::write, false));
    line.follow(data, [self = shared_from_this()] { self->data_end(); });
    if (server->spec_.store_and_forward) return;  // the I/O waits for the whole chunk
    write_at = sg4::Engine::get_clock() + server->disk_.latency_s();
    at_time(write_at, [self = shared_from_this()] { self->start_io(); });
  }
  void data_end() {
    data_ended = true;
    arrived = data->arrived;
    if (!arrived) {  // a link went down under it, or the stage stopped
      if (!io_started) {
        if (stage_stopped()) end.broke();
        end.done();
        io_started = io_ended = true;  // no I/O for it
        return;
      }
      end.broke();
    }
    if (server->spec_.store_and_forward && !io_started) {
      write_at = sg4::Engine::get_clock() + server->disk_.latency_s();
      at_time(write_at, [self = shared_from_this()] { self->start_io(); });
      return;
    }
    if (io_ended) end.done();
  }
  void start_io() {
    if (io_started) return;
    io_started = true;
    server->disk_.start(chunk, DiskOp::write, [self = shared_from_this()] {
      self->io_ended = true;
      if (self->data_ended) self->end.done();
    });
  }
  bool stage_stopped() const { return stage->wire()->stopped(); }
};

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

void NfsServer::stream_reads(sg4::Host* client, double bytes, double requests, HostStream& stage, FaultTally* tally,
                             std::function<void()> ready) {
  auto call_s = std::make_shared<double>(0);
  auto configure = [this, &stage, client, bytes, requests, call_s, ready] {
    if (stage.stopped()) return;  // cancelled meanwhile: nothing to start
    // A chunked READ's reply starts after its call and the disk's latency.
    stage.set_lead(*call_s, disk_.latency_s());
    watch(stage, client);
    stage.add_work(cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
    stage.set_wire(std::make_unique<StreamWire>(network_, host(), client, bytes + requests * wire(NfsRpc::read, true)));
    set_read_chunks(stage);
    ready();
  };
  rpc_detached(
      tally,
      [this, client, tally, call_s](std::function<void()> sent) {  // the first call
        double start = sg4::Engine::get_clock();
        send_detached(network_, client, host(), wire(NfsRpc::read, false), tally, [call_s, start, sent] {
          *call_s = sg4::Engine::get_clock() - start;
          sent();
        });
      },
      stage.guarded([this, &stage, configure] {
        at_time(sg4::Engine::get_clock() + disk_.latency_s(), stage.guarded(configure));
      }));
}

void NfsServer::set_read_chunks(HostStream& stage) {
  stage.set_chunk_work([this, &stage](double chunk, HostStream::ChunkEnd end) {
    auto left = std::make_shared<int>(2);  // the disk I/O and the reply
    auto one_ended = [left, done = end.done] {
      if (--*left == 0) done();
    };
    auto send_reply = [this, &stage, chunk, end, one_ended] {
      end.sent();
      StreamWire& line = *stage.wire();
      auto reply = line.begin(chunk + wire(NfsRpc::read, true));
      line.follow(reply, [reply, end, one_ended] {
        if (!reply->arrived) end.broke();  // a link went down under it
        one_ended();
      });
    };
    if (spec_.store_and_forward) {  // read whole before the reply leaves (models/stage.hpp)
      disk_.start(chunk, DiskOp::read, [send_reply, one_ended] {
        one_ended();
        send_reply();
      });
    } else {
      disk_.start(chunk, DiskOp::read, one_ended);
      send_reply();
    }
  });
}

void NfsServer::stream_writes(sg4::Host* client, double bytes, double requests, HostStream& stage, FaultTally* tally,
                              std::function<void()> ready) {
  auto reply_s = std::make_shared<double>(0);
  auto configure = [this, &stage, client, bytes, requests, reply_s, ready] {
    if (stage.stopped()) return;  // cancelled meanwhile: nothing to start
    stage.set_tail(*reply_s);
    // As a chunked WRITE: its data and its disk I/O at once, the I/O after
    // the disk's latency (models/stage.hpp peer_to_disk).
    stage.set_wire(std::make_unique<StreamWire>(network_, client, host(), bytes + requests * wire(NfsRpc::write, false)));
    stage.set_chunk_work([this, &stage](double chunk, HostStream::ChunkEnd end) {
      std::make_shared<StreamedWrite>(this, &stage, chunk, std::move(end))->begin();
    });
    watch(stage, client);
    stage.add_work(cpu_, cpu_.copy_cost_s(bytes, static_cast<int>(requests)));
    ready();
  };
  rpc_detached(
      tally,
      [this, client, tally, reply_s](std::function<void()> sent) {  // the first reply: each chunked WRITE's follows its data
        double start = sg4::Engine::get_clock();
        send_detached(network_, host(), client, wire(NfsRpc::write, true), tally, [reply_s, start, sent] {
          *reply_s = sg4::Engine::get_clock() - start;
          sent();
        });
      },
      stage.guarded(configure));
}

void NfsServer::count_streamed_retransmit(FaultTally* tally) {
  ++counters_.retransmits;
  if (tally != nullptr) tally->retries += 1;
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
