// SMB2/3 server model (a file server such as ksmbd, Samba or Windows),
// composed of SimGrid activities as models/nfs_server.hpp is: SMB2
// messages on the network, Exec on the server's disk and CPU. What it
// models (MS-SMB2; the Linux client from fs/smb/client/smb2ops.c, ksmbd
// from fs/smb/server/smb2pdu.c, both measured in the SMB guest,
// tests/smb/smb_guest_test.cpp):
//  - READ / WRITE: the host-mediated path over SMB; a host chunk goes out
//    as READs (WRITEs) of at most max_read (max_write) bytes, one after
//    the other; each streams disk, server CPU and wire at once
//    (models/stage.hpp). Credits (3.1.5.2: one per 64 KiB) are checked
//    when the scenario loads not to bind, so requests never wait for them.
//  - Server-side copy (copy_file_range on the mount): one
//    FSCTL_SRV_REQUEST_RESUME_KEY names the source (3.3.5.15.6), then the
//    client's request loop sends FSCTL_SRV_COPYCHUNK_WRITE requests of
//    client_chunks chunks of client_chunk bytes, one at a time (Linux: 1
//    chunk of 1 MiB per request). A request above the server's limits
//    (max_chunks, max_chunk, max_request; 3.3.3) is answered
//    STATUS_INVALID_PARAMETER with those limits and the client retries with
//    them (3.2.5.14.5), as Linux's smb2_copychunk_range does. The server
//    copies each chunk: a remap (clone costs) when its filesystem's
//    copy_file_range reflinks (XFS, btrfs), else disk to disk.
//  - FSCTL_DUPLICATE_EXTENTS_TO_FILE (FICLONERANGE on the mount): a
//    metadata operation when the share's filesystem reflinks; else
//    STATUS_NOT_SUPPORTED (the client returns EOPNOTSUPP).
//  - Around every copy the client waits for metadata_round_trips round
//    trips, one after the other, and sends metadata_exchanges compound
//    CREATE + QUERY_INFO + CLOSE exchanges in them (its path lookups,
//    opens and stats of both files; sends counted and round trips timed
//    with netem delay in the SMB guest, bench/smb_guest_bench.sh): spread
//    evenly when there are more exchanges than round trips; a round trip
//    without one is a CLOSE alone. On a one-request copy they are most of
//    the time.
//  - Every request costs the server request_cpu; messages are their
//    MS-SMB2 sizes (models/smb_wire.hpp).
// Assumptions: one disk; one TCP connection per client (no multichannel);
// no signing or encryption; no caching (oplocks, leases) effects.
#pragma once

#include <simgrid/s4u.hpp>

#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/network.hpp"
#include "models/smb_wire.hpp"

namespace offload::models {

/// Counts of SMB2 requests, for results and tests.
struct SmbCounters {
  double reads = 0;              ///< READ requests
  double writes = 0;             ///< WRITE requests
  double resume_keys = 0;        ///< FSCTL_SRV_REQUEST_RESUME_KEY requests
  double copychunk_requests = 0; ///< FSCTL_SRV_COPYCHUNK_WRITE requests (refused ones included)
  double chunks = 0;             ///< chunks copied
  double refused = 0;            ///< copychunk requests refused for exceeding the server's limits
  double duplicate_extents = 0;  ///< FSCTL_DUPLICATE_EXTENTS_TO_FILE requests
  double metadata = 0;           ///< metadata exchanges (compound CREATE + QUERY_INFO + CLOSE)
  double metadata_round_trips = 0;  ///< round trips waited for around copies (metadata exchanges ride in them)
};

/// Chunk shape of copychunk requests: chunks per request and bytes per chunk.
struct ChunkShape {
  int chunks = 1;          ///< SRV_COPYCHUNK entries per request
  double chunk_bytes = 0;  ///< bytes per chunk
};

/// The shape the client first asks for, and the one it uses after the
/// server refused it (the server's limits; equal when the first fits).
ChunkShape client_chunk_shape(const SmbCopySpec& copy);
/// The shape within the server's limits the client falls back to.
ChunkShape server_chunk_shape(const SmbCopySpec& copy);

/// One simulated SMB server.
class SmbServer {
 public:
  SmbServer(const SmbServerSpec& spec, sg4::Host* host, Network& network);
  /// Reads `bytes` for `client` as READs of at most max_read (blocks the calling actor).
  void read(sg4::Host* client, double bytes);
  /// Writes `bytes` from `client` as WRITEs of at most max_write.
  void write(sg4::Host* client, double bytes);
  /// A request/response with no data.
  void round_trip(sg4::Host* client, SmbRequest request);
  /// The client's metadata round trips around one copy (copy.metadata_round_trips, one after the other)
  /// carrying its copy.metadata_exchanges.
  void metadata_exchanges(sg4::Host* client);
  /// One copy_file_range call on the mount: resume key, then the
  /// copychunk request loop over `bytes`; returns the bytes copied.
  double copychunk(sg4::Host* client, double bytes);
  /// FSCTL_DUPLICATE_EXTENTS_TO_FILE of `bytes`; false when refused.
  bool duplicate_extents(sg4::Host* client, double bytes);

  /// The server's host.
  sg4::Host* host() const { return cpu_.host(); }
  /// Name.
  const std::string& name() const { return spec_.name; }
  /// The server's CPU.
  const CpuModel& cpu() const { return cpu_; }
  /// The server's disk.
  const DiskModel& disk() const { return disk_; }
  /// Request counts so far.
  const SmbCounters& counters() const { return counters_; }

 private:
  // A request of `request_bytes`, `work` on the server, a response of `response_bytes`.
  void exchange(sg4::Host* client, double request_bytes, double server_cpu_s, double response_bytes);
  // The server's copy of one chunk.
  void copy_chunk(double bytes);
  double clone_cost_s(double bytes) const {
    return spec_.fs.clone_fixed_s + spec_.fs.clone_per_GiB_s * bytes / 1073741824.0;
  }

  SmbServerSpec spec_;
  CpuModel cpu_;
  DiskModel disk_;
  Network& network_;
  SmbCounters counters_;
  bool client_learned_limits_ = false;  // a refused request taught the client the server's limits
};

}  // namespace offload::models
