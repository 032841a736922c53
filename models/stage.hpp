// Streaming stages shared by the storage models: a server or array moves a
// request's data between its disk and a peer (or between two disks) with
// the disk, the CPU and the wire all busy at once, as a streaming server
// pipelines its I/O. The disk's per-I/O latency is paid once, first.
// With `store_and_forward` a request's data is whole in the server's memory
// between the disk and the wire, as in Linux's NVMe/TCP target and nfsd: a
// READ is sent once its disk read completed, a WRITE's data is written once
// it was received; the disk and the wire then follow each other per request
// (requests in flight still overlap one another).
#pragma once

#include "models/cpu.hpp"
#include "models/disk.hpp"
#include "models/network.hpp"

namespace offload::models {

/// Reads `bytes` from `disk` on `server` and sends `wire_bytes` to `peer`,
/// while `cpu` works `cpu_s`; blocks the calling actor until all are done.
void disk_to_peer(DiskModel& disk, CpuModel& cpu, double cpu_s, Network& network, sg4::Host* server,
                  sg4::Host* peer, double bytes, double wire_bytes, bool store_and_forward = false);

/// Receives `wire_bytes` from `peer` and writes `bytes` to `disk` on
/// `server`, while `cpu` works `cpu_s`.
void peer_to_disk(DiskModel& disk, CpuModel& cpu, double cpu_s, Network& network, sg4::Host* server,
                  sg4::Host* peer, double bytes, double wire_bytes, bool store_and_forward = false);

/// Reads `bytes` from `from` and writes them to `to` at once (a copy inside
/// one box), while `cpu` works `cpu_s` (none when `cpu` is null).
void disk_to_disk(DiskModel& from, DiskModel& to, CpuModel* cpu, double cpu_s, double bytes);

}  // namespace offload::models
