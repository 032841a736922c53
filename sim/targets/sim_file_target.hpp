// The engine's target for simulated files: a source and a destination,
// each on an NFS server or on the engine host's local filesystem. Each hook
// blocks its SimGrid actor for the simulated time the operation takes (a
// streamed copy's operations run without one: start_detached,
// execute_detaching; its READ and WRITE hooks move one request each) and
// returns what the real call would: bytes, a short count, or -errno
// (EXDEV across filesystems, EOPNOTSUPP without reflink), so the engine's
// ladder and fallbacks run unchanged. Simulated files carry no bytes.
//  - host copy on NFS: READ to the client, WRITE back (client CPU: one
//    memcpy per byte each way); locally: page-cache reads and writes;
//  - kernel-copy: NFSv4.2 COPY on one server (sync or async), inter-server
//    COPY across two servers, an in-kernel copy on one local filesystem;
//    local <-> NFS gives EXDEV as copy_file_range does since Linux 5.19;
//  - clone: NFS CLONE on one server, FICLONERANGE locally.
//  - on SMB (models/smb_server.hpp): host copy as READs and WRITEs;
//    kernel-copy as resume key + copychunk requests on one server (across
//    its shares too: one session), EXDEV across servers; clone as
//    FSCTL_DUPLICATE_EXTENTS_TO_FILE within one share (EXDEV across
//    shares: two mounts), EOPNOTSUPP when the server refuses it.
// Client CPU: a READ or WRITE pays one memcpy per byte (page cache to user
// buffer) plus per_op_cpu; an offloaded call (copy_file_range, FICLONERANGE
// on an NFS mount) pays per_op_cpu for its syscall; every RPC the client
// sends or receives also pays its TCP/RPC stack cost (models/network.hpp).
#pragma once

#include <memory>
#include <optional>

#include "engine/target.hpp"
#include "models/host_stream.hpp"
#include "models/local_fs.hpp"
#include "models/nfs_server.hpp"
#include "models/smb_server.hpp"
#include "sim/detached_operations.hpp"

namespace offload::sim {

namespace sg4 = simgrid::s4u;

/// Where one end of a simulated copy lives.
struct SimEndpoint {
  models::NfsServer* server = nullptr;   ///< the NFS server, or nullptr for local
  models::LocalFs* local = nullptr;      ///< the engine host's filesystem when local
  models::SmbServer* smb = nullptr;      ///< the SMB server, or nullptr
  std::string share;                     ///< the SMB share (one client mount each)
};

/// The engine host's side of a simulated copy.
struct SimClient {
  sg4::Host* host = nullptr;     ///< where the engine runs
  models::CpuModel* cpu = nullptr;       ///< its CPU
};

/// A simulated source/destination pair.
class SimFileTarget final : public CopyTarget, public models::FaultCounted, public DetachedOperations {
 public:
  /// `nfs_async` chooses the COPY mode (nullopt: the server's default);
  /// `stream_host` streams a host copy between NFS servers (models/host_stream.hpp).
  SimFileTarget(SimClient client, SimEndpoint source, SimEndpoint destination, TargetInfo info,
                std::optional<bool> nfs_async, bool stream_host = false);
  const TargetInfo& info() const override { return info_; }
  OpResult map_data(ByteRange range) override;
  OpResult read(const Op& op) override;
  OpResult write(const Op& op) override;
  OpResult clone(const Op& op) override;
  OpResult copy_range(const Op& op) override;
  OpResult zero_range(const Op& op) override;
  OpResult finish() override;
  OpResult abort() override;
  /// The engine cancelled: an asynchronous COPY in flight sends OFFLOAD_CANCEL.
  /// A streamed stage moves only the chunks the engine issued: those in
  /// flight end as the chunked model's do.
  void interrupt() override { *interrupted_ = true; }
  /// A streamed copy's OPEN, READs, WRITEs (the first READ and WRITE begin
  /// their stage) and COMMIT + CLOSE, without an actor.
  bool start_detached(const Op& op, End end) override;
  /// A READ or WRITE of a streamed copy (its first starts the stage on an actor).
  bool detaches(const Op& op) const override {
    return stream_host_ && (op.kind == OpKind::read || op.kind == OpKind::write);
  }
  /// On an actor: a READ or WRITE of a streamed stage (one its stage
  /// dropped goes as a single request) goes on detached; the rest as execute().
  std::optional<OpResult> execute_detaching(const Op& op, End end) override;

 private:
  SimClient client_;
  SimEndpoint source_;
  SimEndpoint destination_;
  TargetInfo info_;
  std::optional<bool> nfs_async_;
  std::shared_ptr<bool> interrupted_ = std::make_shared<bool>(false);
  void syscall();  ///< one syscall's CPU on the client (per_op_cpu)
  /// A READ or WRITE through its stage (the first begins the stage),
  /// without an actor: true when the stage took it (`end` then gets its
  /// result), false when it goes as a single request.
  bool stream(const Op& op, const End& end);
  bool begin_stage(const Op& op);  ///< the first READ or WRITE starts its stage (detached); false: nothing to stream
  std::function<void()> client_side_starts(models::HostStream& stage);  ///< the client's CPU work, then the requests
  void stop_streams();
  bool stream_host_ = false;
  std::unique_ptr<models::HostStream> reads_;   ///< the streamed READs, from the first read on
  std::unique_ptr<models::HostStream> writes_;  ///< the streamed WRITEs
  double stream_base_ = 0;      ///< source offset of the first streamed byte
  double stream_bytes_ = 0;     ///< bytes each stage moves
  double stream_requests_ = 0;  ///< READs (and WRITEs) each stage stands for
  bool host_started_ = false;  ///< the first local read paid fs.host_copy_start
  simgrid::s4u::MutexPtr destination_inode_lock_;  ///< a local destination's i_rwsem: buffered writes one at a time
};

}  // namespace offload::sim
