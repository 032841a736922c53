// NFS server (filer) model, composed of SimGrid activities as SimGrid's
// own storage plugins are: RPC messages on the network, Exec on the server's
// disk (models/disk.hpp) and on its CPU. What it models (RFC 7862; Linux nfsd behaviour
// from its source: the 4 MiB cap of a synchronous COPY in fs/nfsd/vfs.c,
// nfsd_copy_file_range; the asynchronous COPY and CB_OFFLOAD in
// fs/nfsd/nfs4proc.c):
//  - READ / WRITE: the host-mediated path; request, then disk, server CPU
//    and the data transfer in parallel (a streaming server), then reply;
//    with store_and_forward the disk and the transfer follow each other
//    per request (models/stage.hpp), as Linux nfsd and nvmet-tcp do.
//  - COPY (NFSv4.2 server-side copy) within the server, synchronous: one
//    call moves at most sync_cap bytes (4 MiB in Linux nfsd) and returns a
//    short count; the client re-issues the rest.
//  - COPY asynchronous: the reply carries a callback id at once; the copy
//    runs on the server; completion arrives by CB_OFFLOAD, and the client
//    also polls OFFLOAD_STATUS every poll_interval (needed when the
//    callback is lost). Beyond max_async pending copies (Linux: the number
//    of nfsd threads) the server copies synchronously instead.
//  - OFFLOAD_CANCEL: when the engine cancels, the client sends it at its
//    next wake-up (callback or poll); the server stops at the end of the
//    current stage (it copies in stages of async_stage bytes, as nfsd checks
//    between chunks), sends no callback, and the client's OFFLOAD_STATUS
//    learns the short count.
//  - Inter-server COPY: COPY_NOTIFY to the source server, then an
//    asynchronous COPY on the destination server that reads the data from
//    the source server over the network.
//  - CLONE: a reflink on the server's filesystem, metadata cost only.
//  - Restart (sim/faults.hpp): the server is down for a while and loses its
//    state. Its asynchronous copies stop (the stage under way runs out, as
//    any work in flight at the crash does, but counts for nothing); the
//    client learns it at its next OFFLOAD_STATUS after the server is back
//    and redrives the COPY from the start, as Linux does (its state
//    recovery completes pending copies for a retry). An RPC sent while the
//    server is down waits until it is back (a hard mount retransmits until
//    the server answers); one in flight at the restart runs out its
//    activities but its reply is lost, and the client retransmits it after
//    the server is back. Each retransmission and redrive is counted.
//  - Lost CB_OFFLOAD: the copy ends at the client's next OFFLOAD_STATUS.
// Simulation cost (models/nfs_server_async.cpp): an asynchronous COPY within
// one server runs its stages as a state machine that the client's actor
// drives while it waits for its RPCs and its poll timer, so a copy costs one
// actor, not two. The stages start and end at the same simulated times as on
// a copy thread of their own; when the client would block on anything else
// (the server down, a link down under an RPC, a lost copy) a copy actor
// (pooled) takes the machine over.
// Assumptions: one disk per server; a server-side copy reads and writes it
// at once; RPCs are their XDR sizes (models/nfs_wire.hpp), or rpc_size
// bytes each when the scenario gives it; no caching effects.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <simgrid/s4u.hpp>

#include "models/actor_pool.hpp"
#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/host_stream.hpp"
#include "models/network.hpp"
#include "models/nfs_wire.hpp"

namespace offload::models {

/// Counts of protocol operations, for results and tests.
struct NfsCounters {
  double reads = 0;           ///< READ RPCs
  double writes = 0;          ///< WRITE RPCs
  double copies_sync = 0;     ///< synchronous COPY calls
  double copies_async = 0;    ///< asynchronous COPY calls
  double offload_status = 0;  ///< OFFLOAD_STATUS polls
  double callbacks = 0;       ///< CB_OFFLOAD delivered
  double clones = 0;          ///< CLONE calls
  double offload_cancel = 0;  ///< OFFLOAD_CANCEL calls
  double copy_notify = 0;     ///< COPY_NOTIFY calls
  double retransmits = 0;     ///< RPCs sent again because the server restarted under them
  double redrives = 0;        ///< asynchronous COPYs sent again from the start after a restart
  double callbacks_lost = 0;  ///< CB_OFFLOAD callbacks dropped
};

/// Set when the engine cancels the copy that owns an operation in flight.
using InterruptFlag = std::shared_ptr<const bool>;

/// Bytes an asynchronous COPY moves between two checks for OFFLOAD_CANCEL.
inline constexpr double kAsyncStageBytes = 256.0 * 1048576;

/// One simulated NFSv4.2 server.
class NfsServer {
 public:
  NfsServer(const NfsServerSpec& spec, sg4::Host* host, Network& network);
  /// READ of `bytes` for `client` (blocks the calling actor); client CPU not included.
  void read(sg4::Host* client, double bytes);
  /// WRITE of `bytes` from `client`.
  void write(sg4::Host* client, double bytes);
  /// A request/reply with no data: OPEN (with SEEK) of the source, COMMIT +
  /// CLOSE at the end, COPY_NOTIFY.
  void round_trip(sg4::Host* client, NfsRpc rpc);
  /// round_trip() without an actor (models/detached_message.hpp): `done`
  /// runs in the kernel once the reply arrived; waits while this server is
  /// down and sends it again when a restart lost it, as rpc() does.
  /// `tally`: the copy whose resends it counts (nullptr: none).
  void round_trip_detached(sg4::Host* client, NfsRpc rpc, FaultTally* tally, std::function<void()> done);
  /// COPY of up to `bytes` within this server; returns the bytes copied
  /// (short when capped or cancelled through `interrupt`).
  double copy(sg4::Host* client, double bytes, bool async, const InterruptFlag& interrupt);
  /// Inter-server COPY: this server pulls `bytes` from `source`.
  double copy_from(NfsServer& source, sg4::Host* client, double bytes, const InterruptFlag& interrupt);
  /// Streamed READs (models/host_stream.hpp): sends the first READ call,
  /// pays the disk latency once, sets `stage`'s lead, adds this server's
  /// CPU for `requests` READs of `bytes` in all and the per-chunk disk read
  /// and reply towards `client`; then runs `ready`. Without an actor: each
  /// step runs in the kernel (as round_trip_detached), none once the stage
  /// is gone or stopped. `tally`: the copy's.
  void stream_reads(sg4::Host* client, double bytes, double requests, HostStream& stage, FaultTally* tally,
                    std::function<void()> ready);
  /// Streamed WRITEs of `bytes` in `requests` calls from `client`: sends
  /// one reply to time the tail, adds this server's CPU and the per-chunk
  /// data transfer and disk write; then runs `ready` (as stream_reads).
  void stream_writes(sg4::Host* client, double bytes, double requests, HostStream& stage, FaultTally* tally,
                     std::function<void()> ready);
  /// Queues the stack work of the call (or the `reply`) of one streamed
  /// READ or WRITE of `bytes` at both ends on the connection's serial
  /// lanes, as the chunked model's message does; returns the pieces to wait for.
  std::vector<LanePiecePtr> stream_stacks(sg4::Host* client, NfsRpc rpc, double bytes, bool reply);
  /// Counts a streamed READ or WRITE that was in flight when this server
  /// restarted: the chunked model's client sends it again (rpc()); counted
  /// in `tally` too (that copy's; nullptr: none).
  void count_streamed_retransmit(FaultTally* tally);
  /// Counts one READ or WRITE moved by a streamed stage.
  void count_streamed(NfsRpc rpc) { ++(rpc == NfsRpc::read ? counters_.reads : counters_.writes); }
  /// Restarts so far (a streamed stage breaks when it changes).
  int epoch() const { return epoch_; }
  /// CLONE of `bytes`; false when the exported filesystem cannot reflink.
  bool clone(sg4::Host* client, double bytes);

  /// The server's host.
  sg4::Host* host() const { return cpu_.host(); }
  /// Name.
  const std::string& name() const { return spec_.name; }
  /// The server's CPU.
  const CpuModel& cpu() const { return cpu_; }
  /// The server's disk.
  const DiskModel& disk() const { return disk_; }
  /// Protocol counts so far.
  const NfsCounters& counters() const { return counters_; }
  /// COPY mode used when a method does not force one.
  bool async_by_default() const { return spec_.copy.async; }

  /// The server crashes: it stops answering and its async copies stop.
  void go_down();
  /// It is back (rebooted, state lost): waiting RPCs go through.
  void come_up();
  /// The next `count` CB_OFFLOAD callbacks are dropped.
  void lose_callbacks(int count) { callbacks_to_lose_ += count; }

 private:
  struct AsyncCopy;
  using AsyncCopyPtr = std::shared_ptr<AsyncCopy>;
  struct StreamedWrite;  // one streamed WRITE's chunk work (nfs_server_stream.cpp)
  void local_copy(double bytes);
  // Empty `stage`: a copy within this server, driven inline (see above).
  std::optional<double> run_async(sg4::Host* client, double bytes, const InterruptFlag& interrupt,
                                  const std::function<void()>& prologue, const std::function<void(double)>& stage);
  void next_stage(const AsyncCopyPtr& copy);
  void start_stage(AsyncCopy& copy);
  bool complete_async(AsyncCopy& copy);
  void send_callback(AsyncCopy& copy);
  void hand_off(const AsyncCopyPtr& copy);
  void wait_driving(const AsyncCopyPtr& copy, Transfer* transfer, double deadline);
  void send_driving(const AsyncCopyPtr& copy, sg4::Host* from, sg4::Host* to, double bytes);
  // Bytes of a call (or reply) of `rpc` on the wire.
  double wire(NfsRpc rpc, bool reply) const {
    return spec_.copy.rpc_bytes ? *spec_.copy.rpc_bytes : nfs_rpc_bytes(rpc, reply);
  }
  // One RPC; `before_waiting` runs when the server is down, before waiting for it.
  void rpc(const std::function<void()>& attempt, const std::function<void()>& before_waiting = {});
  void await_up();
  // rpc() without an actor: `attempt` gets what to call once its messages
  // went; `done` runs once one attempt was not lost to a restart.
  using DetachedAttempt = std::function<void(std::function<void()> sent)>;
  void rpc_detached(FaultTally* tally, DetachedAttempt attempt, std::function<void()> done);
  void when_up(std::function<void()> then);       // await_up() without an actor
  std::vector<std::function<void()>> up_waiters_;  // when_up()'s, until this server comes up

  NfsServerSpec spec_;
  CpuModel cpu_;
  DiskModel disk_;
  Network& network_;
  ActorPool copiers_;  // run asynchronous COPYs (nfsd's copy threads)
  NfsCounters counters_;
  int pending_async_ = 0;
  bool up_ = true;
  int outages_ = 0;                                // restarts under way (they may overlap)
  int epoch_ = 0;                                  // restarts so far
  int callbacks_to_lose_ = 0;
  std::map<int, std::function<void()>> restart_watchers_;  // streamed stages on this server
  int next_watcher_ = 0;
  void watch(HostStream& stage, sg4::Host* client);
  void set_read_chunks(HostStream& stage);  // a streamed READ's chunk work (disk read, reply)
  sg4::MutexPtr up_mutex_ = sg4::Mutex::create();
  sg4::ConditionVariablePtr came_up_ = sg4::ConditionVariable::create();
};

}  // namespace offload::models
