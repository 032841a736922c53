// The closed-form NFS platform shared by the simulator tests: one client,
// one filer, one 1 Gb/s (125 MB/s) link with 1 ms latency, no NICs, free
// CPUs and RPC headers, so only the link and disk cost time (CM02).
#pragma once

#include <string>

namespace offload::testing {

/// The platform with the filer's `copy_options`, the `[engine]` lines and
/// the filer's `disk`, copying 100 MB on the filer; `extra` is appended
/// (e.g. [[fault]] entries).
inline std::string nfs_platform(const std::string& copy_options, const std::string& engine, const std::string& disk,
                                const std::string& extra = "") {
  return R"(
[scenario]
name = "closed-form"
network_model = "CM02"
methods = ["host", "nfs-copy-sync", "nfs-copy-async", "kernel-copy"]
[engine]
)" + engine + R"(
[[host]]
name = "client"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[nfs_server]]
name = "filer"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
disk = )" + disk + R"(
copy = { rpc_size = 0, )" + copy_options + R"( }
[[link]]
name = "lan"
bandwidth = "1Gbps"
latency = "1ms"
between = ["client", "filer"]
[[copy]]
on = "client"
from = "filer:/a"
to = "filer:/b"
size = "100MB"
)" + extra;
}

/// A disk that costs no time.
inline const std::string kFastDisk = R"({ read = "1PBps", write = "1PBps" })";
/// One operation at a time, 10 MB host chunks, 64 MB copy_file_range calls.
/// The first fill of one 10 MB host buffer (whole 2 MiB pages: 10 MiB) at
/// the default buffer_fault_bandwidth of 8 GB/s: CPU before the first read.
inline constexpr double kFirstFill10MB_s = 10485760 / 8e9;
inline const std::string kSerialEngine = "queue_depth = 1\nhost_chunk = \"10MB\"\nkernel_copy_chunk = \"64MB\"";
/// The whole 100 MB in one copy_file_range call.
inline const std::string kOneCopyCall = "queue_depth = 1\nkernel_copy_chunk = \"100MB\"";

}  // namespace offload::testing
