// The SCSI test platform: one ESXi-like host, one array with 4 KiB-block
// LUNs "array:lun1" and "array:lun2", an 800 MB/s FC link with 10 us
// latency (CM02, no cross-traffic), free CPUs, and one 1000 MiB copy.
#pragma once

#include <string>

namespace offload::testing {

/// The scenario text; `copy` adds keys to the array's copy table.
inline std::string scsi_lun_platform(const std::string& copy) {
  return R"(
[scenario]
name = "luns"
network_model = "CM02"
methods = ["host", "xcopy", "odx", "auto"]
[engine]
queue_depth = 1
host_chunk = "8MiB"
device_chunk = "1GiB"
[[host]]
name = "esx"
memcpy_bandwidth = "1PBps"
per_op_cpu = "0s"
[[scsi_array]]
name = "array"
per_op_cpu = "0s"
block_size = "4KiB"
disk = { read = "2GBps", write = "1GBps" }
copy = { command_cpu = "0s", poll_interval = "100ms", )" + copy + R"( }
[[link]]
name = "fc"
bandwidth = "800MBps"
latency = "10us"
between = ["esx", "array"]
[[copy]]
on = "esx"
from = "array:lun1"
to = "array:lun2"
size = "1000MiB"
)";
}

}  // namespace offload::testing
