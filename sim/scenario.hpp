// Scenario files (TOML, read with toml11): a platform, a workload, an
// optional sweep and a seed. Loading validates everything up front: unknown
// keys, wrong types, bad units and dangling references throw ScenarioError
// naming the file, the line and the key. No SimGrid here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine.hpp"

namespace offload::sim {

/// A bad scenario: "FILE:LINE: where: what".
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A disk: bandwidths and a per-I/O latency.
struct DiskSpec {
  double read_Bps = 0;      ///< read bandwidth, bytes/s
  double write_Bps = 0;     ///< write bandwidth, bytes/s
  double latency_s = 0;     ///< added to every I/O, seconds
};

/// What a host's network and storage-protocol stack costs its CPU (the
/// cycles of a TCP connection's sends and receives; models/cpu.hpp).
/// Defaults: measured on an AMD EPYC (Zen 5) virtual machine core at
/// 2.69 GHz, one TCP stream over a veth pair with MTU 1500 (TSO on, GRO
/// off), 1 MiB send()/recv() calls: 0.39 ns of CPU per byte for sender and
/// receiver together (bench/README.md "TCP stack CPU"), split evenly; and
/// 64-byte ping-pong messages: the per-message cost.
struct StackSpec {
  double clock_Hz = 2.69e9;               ///< cycles per second of one core (turns cycles into CPU seconds)
  double send_cycles_per_byte = 0.52;     ///< TCP send: copy into socket buffers, segmentation, per-packet work
  double receive_cycles_per_byte = 0.52;  ///< TCP receive: interrupt, per-packet work, copy out of socket buffers
  double message_cycles = 15000;          ///< per request, reply or data message, each end (syscall, wake-up, RPC/PDU header)
};

/// What a host's CPU pays to move data.
struct CpuSpec {
  int cores = 1;                      ///< cores
  double memcpy_Bps = 8e9;            ///< bytes/s one core copies through memory
  double per_op_s = 5e-6;             ///< CPU seconds per I/O operation (syscall, RPC)
  double core_speed = 1.0;            ///< share of a nominal core each core delivers ([[host]] only; calibrated)
  StackSpec stack;                    ///< TCP and storage-protocol stack costs
};

/// A local filesystem on a host's disk.
struct LocalFsSpec {
  bool reflink = true;                ///< FICLONE works (XFS/btrfs) or not (ext4)
  double clone_fixed_s = 100e-6;      ///< CPU seconds per clone call
  double clone_per_GiB_s = 1e-3;      ///< CPU seconds per GiB cloned (extent metadata)
  double kernel_copy_Bps = 0;         ///< bytes/s one core copies in copy_file_range (0 = memcpy_bandwidth)
  bool copy_range_reflinks = false;   ///< copy_file_range shares extents (XFS/btrfs) and costs as a clone
  double remap_fixed_s = -1;          ///< CPU seconds per copy_file_range call that remaps (< 0: clone_fixed_s)
  double host_copy_start_s = 0;       ///< seconds a host copy waits before its first read (fresh buffers faulted, workers scheduled)
};

/// A client or plain host.
struct HostSpec {
  std::string name;                   ///< name, or group prefix when count > 1
  int count = 1;                      ///< members NAME-0 .. NAME-(count-1) when > 1
  CpuSpec cpu;                        ///< CPU model
  std::optional<double> nic_Bps;      ///< private NIC link, bytes/s (none = no NIC limit)
  std::optional<DiskSpec> disk;       ///< local disk, if any
  LocalFsSpec fs;                     ///< local filesystem on that disk
  int line = 0;                       ///< where it was declared
};

/// NFSv4.2 server-side copy behaviour of a server.
struct NfsCopySpec {
  double sync_cap_bytes = 4 * 1048576.0;  ///< bytes one synchronous COPY moves at most (Linux nfsd: 4 MiB)
  bool async = false;                 ///< COPY is asynchronous (callback id + CB_OFFLOAD)
  int max_async = 8;                  ///< async copies pending at once (Linux: nfsd threads); beyond: sync
  double poll_interval_s = 0.5;       ///< client OFFLOAD_STATUS period when no callback arrives
  bool callback = true;               ///< CB_OFFLOAD is delivered (false: client must poll)
  bool clone = true;                  ///< CLONE works (reflink filesystem under the export)
  std::optional<double> rpc_bytes;    ///< bytes of every RPC request or reply without data (none: each RPC's XDR size, models/nfs_wire.hpp)
};

/// An NFS server (filer).
struct NfsServerSpec {
  std::string name;                   ///< name used in "SERVER:/path"
  CpuSpec cpu;                        ///< server CPU
  std::optional<double> nic_Bps;      ///< private NIC link, bytes/s
  DiskSpec disk;                      ///< exported storage
  NfsCopySpec copy;                   ///< COPY/CLONE behaviour
  LocalFsSpec fs;                     ///< clone costs on the server
  bool store_and_forward = false;     ///< a READ is sent after its disk read, a WRITE written after it arrived (else streamed)
  int line = 0;
};

/// SMB2/3 server-side copy and data path limits of a server and its client
/// (MS-SMB2; defaults: what Linux ksmbd and the Linux SMB client use,
/// measured in the SMB guest, tests/smb/smb_guest_test.cpp).
struct SmbCopySpec {
  int max_chunks = 256;                       ///< chunks one FSCTL_SRV_COPYCHUNK_WRITE may carry (MS-SMB2 3.3.3 ServerSideCopyMaxNumberofChunks; ksmbd 256)
  double max_chunk_bytes = 1048576;           ///< bytes per chunk (3.3.3 ServerSideCopyMaxChunkSize; ksmbd 1 MiB)
  double max_request_bytes = 16777216;        ///< bytes per request (3.3.3 ServerSideCopyMaxDataSize; ksmbd 16 MiB)
  int client_chunks = 1;                      ///< chunks the client puts in one request (Linux smb2_copychunk_range: 1)
  double client_chunk_bytes = 1048576;        ///< bytes the client asks per chunk (Linux tcon->max_bytes_chunk: 1 MiB)
  double max_read_bytes = 4194304;            ///< bytes per READ (MaxReadSize, 2.2.4; ksmbd "smb2 max read" 4 MiB)
  double max_write_bytes = 4194304;           ///< bytes per WRITE (MaxWriteSize, 2.2.4; ksmbd 4 MiB)
  int max_credits = 8192;                     ///< credits the server grants at most (3.3.1.2; ksmbd "smb2 max credits")
  bool duplicate_extents = true;              ///< FSCTL_DUPLICATE_EXTENTS_TO_FILE offered (needs a reflink filesystem too)
  double request_cpu_s = 20e-6;               ///< server CPU per SMB2 request (parse, reply), seconds
};

/// An SMB server (ksmbd, Samba, Windows) with one share per filesystem.
struct SmbServerSpec {
  std::string name;                   ///< name used in "SERVER:/share/path"
  CpuSpec cpu;                        ///< server CPU
  std::optional<double> nic_Bps;      ///< private NIC link, bytes/s
  DiskSpec disk;                      ///< shared storage
  SmbCopySpec copy;                   ///< copychunk, duplicate extents, READ/WRITE limits
  LocalFsSpec fs;                     ///< the share's filesystem: reflink, clone and kernel-copy costs
  int line = 0;
};

/// A SCSI array's copy engines (EXTENDED COPY and ODX token copy).
struct ScsiCopySpec {
  double max_segment_bytes = 256e6;   ///< MAXIMUM SEGMENT LENGTH, bytes per XCOPY segment descriptor (LIO: 256 MB)
  int max_segment_descriptors = 1;    ///< segment descriptors per EXTENDED COPY (LIO: 1)
  int max_concurrent = 1;             ///< copies the copy engine runs at once (LIO: 1)
  double command_cpu_s = 200e-6;      ///< controller CPU per copy command
  double max_token_bytes = 268435456; ///< bytes one ROD token stands for (commonly 256 MiB)
  double token_timeout_s = 30;        ///< inactivity timeout of a ROD token
  double populate_cpu_s = 1e-3;       ///< controller CPU to build a token (point-in-time)
  double poll_interval_s = 0.5;       ///< RECEIVE ROD TOKEN INFORMATION period (ddpt: 500 ms)
  bool xcopy = true;                  ///< EXTENDED COPY supported
  bool odx = true;                    ///< POPULATE TOKEN / WRITE USING TOKEN supported
  double command_bytes = 512;         ///< framing bytes per command or response on the wire (plus the encoded CDB, parameter list, data or sense)
};

/// A SCSI array with front-end ports and back-end flash or disks.
struct ScsiArraySpec {
  std::string name;                   ///< name used in "ARRAY:lunN"
  CpuSpec cpu;                        ///< controller CPU
  std::optional<double> port_Bps;     ///< front-end port link, bytes/s
  DiskSpec disk;                      ///< back-end storage (all LUNs)
  double block_bytes = 512;           ///< logical block size of its LUNs, bytes
  ScsiCopySpec copy;                  ///< copy engine
  int line = 0;
};

/// A shared link between hosts or groups.
struct LinkSpec {
  std::string name;                   ///< name used in sweeps ("link.NAME.bandwidth")
  double bandwidth_Bps = 0;           ///< bytes/s, each direction (full duplex)
  double latency_s = 0;               ///< seconds
  std::vector<std::string> between;   ///< exactly two host/group/server names
  int line = 0;
};

/// One workload entry: copies run by the engine of each `on` host.
struct CopySpec {
  std::string on;                     ///< host or group running the engine
  std::string from;                   ///< "SERVER:/path", "local:/path" or "ARRAY:lunN"
  std::string to;                     ///< same forms (LUN to LUN, file to file)
  double size_bytes = 0;              ///< bytes per copy
  int count = 1;                      ///< copies per host
  int concurrency = 1;                ///< copies in flight per host
  double start_s = 0;                 ///< first submit, simulated seconds
  double start_jitter_s = 0;          ///< uniform extra start delay per host (seeded)
  std::optional<double> cancel_after_s;  ///< the engine cancels each copy this long after its submit
  int line = 0;
};

/// What a [[fault]] does (sim/faults.hpp applies it).
enum class FaultKind {
  link_down,            ///< a [[link]] goes down for `duration`, then comes back
  nfs_server_restart,   ///< an NFS server is down for `duration` and loses its async copies
  cb_offload_lost,      ///< the next `count` CB_OFFLOAD callbacks of a server are dropped
  odx_token_expire,     ///< every ROD token of an array expires
  xcopy_segment_fail,   ///< the next EXTENDED COPY / WRITE USING TOKEN segment fails (COPY ABORTED)
  unit_attention,       ///< each initiator's next command to an array answers UNIT ATTENTION (POWER ON, RESET)
};

/// One fault injected at a simulated time.
struct FaultSpec {
  FaultKind kind = FaultKind::link_down;  ///< what happens
  std::string kind_name;              ///< as written: "link_down", ...
  std::string target;                 ///< the link, server or array it hits
  double at_s = 0;                    ///< when, simulated seconds
  double duration_s = 0;              ///< how long a link or server stays down, seconds
  int count = 1;                      ///< callbacks dropped (cb_offload_lost)
  int line = 0;                       ///< where it was declared
};

/// A method as a scenario names it: an engine choice plus NFS COPY mode.
struct MethodVariant {
  std::string label;                  ///< as written: "host", "nfs-copy-async", ...
  MethodChoice choice = MethodChoice::automatic;  ///< what the engine is asked
  std::optional<bool> nfs_async;      ///< forces the servers' COPY mode
};

/// A parsed, validated scenario at one sweep point.
struct Scenario {
  std::string file;                   ///< path it was read from
  std::string name;                   ///< [scenario].name
  std::string description;            ///< [scenario].description
  std::uint64_t seed = 1;             ///< seeds start jitter
  std::string network_model = "LV08"; ///< "LV08" (TCP-calibrated) or "CM02" (closed form, no cross-traffic)
  EngineConfig engine;                ///< every client's engine settings
  std::vector<HostSpec> hosts;
  std::vector<NfsServerSpec> nfs_servers;
  std::vector<SmbServerSpec> smb_servers;
  std::vector<ScsiArraySpec> scsi_arrays;
  std::vector<LinkSpec> links;
  std::vector<CopySpec> copies;
  std::vector<FaultSpec> faults;      ///< injected in time order by sim/faults.hpp
  std::vector<MethodVariant> methods; ///< one run per method
  std::map<std::string, std::string> point;  ///< sweep values applied ("link.lan.bandwidth" -> "10Gbps")
};

/// Most points a sweep may expand to (the product of its value counts); a
/// larger sweep is refused before any point is built.
inline constexpr std::size_t kMaxSweepPoints = 10000;

/// A scenario file with its sweep expanded.
struct ScenarioSet {
  std::vector<Scenario> points;       ///< one per sweep point (one when no sweep)
  std::vector<std::string> sweep_keys;  ///< the swept parameters, in file order
};

/// Reads and validates `path`; throws ScenarioError.
ScenarioSet load_scenario_file(const std::string& path);
/// Same for TOML text (`name` stands for the file in messages).
ScenarioSet load_scenario_text(const std::string& text, const std::string& name);
/// Parses a scenario method name ("host", "clone", "kernel-copy", "auto",
/// "nfs-copy", "nfs-copy-sync", "nfs-copy-async").
std::optional<MethodVariant> parse_method_variant(const std::string& label);

}  // namespace offload::sim
