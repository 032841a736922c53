// What a model of the guest needs besides the copies themselves, measured
// inside the QEMU guest: the CPU's memory-copy rate, TCP throughput and
// round-trip time between the server's and the client's network namespaces
// (over the veth pair the copies cross), and a disk's direct-I/O rates.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace offload::timing {

/// Median bytes/s of memcpy between two `bytes`-sized, pre-faulted buffers (5 runs).
double memcpy_rate_Bps(std::uint64_t bytes);

/// TCP between this namespace and a process in another one.
struct TcpRates {
  double to_server_Bps = 0;    ///< client namespace -> this namespace, bytes/s
  double to_client_Bps = 0;    ///< this namespace -> client namespace, bytes/s
  double round_trip_s = 0;     ///< median time of a 64-byte ping-pong, seconds
};

/// Listens on `server_ip` here; a forked child enters the network namespace
/// `netns_path` (setns) and connects. Each direction moves `bytes` once.
std::expected<TcpRates, std::string> tcp_rates(const std::string& netns_path, const std::string& server_ip,
                                               std::uint64_t bytes);

/// Sequential O_DIRECT rates of `path` (a file, created, or a block device).
struct DiskRates {
  double write_Bps = 0;        ///< writes of 1 MiB, then fsync, bytes/s
  double read_Bps = 0;         ///< reads of 1 MiB after dropping caches, bytes/s
};

/// Writes then reads `bytes` at offset 0 of `path`.
std::expected<DiskRates, std::string> disk_rates(const std::string& path, std::uint64_t bytes);

/// Flushes dirty pages and drops the page cache (root).
void drop_caches();

}  // namespace offload::timing
