// Parameters of the simulator's models (models/*.hpp take them; the
// scenario loader, sim/scenario/, fills them from a scenario file): disks,
// CPUs and their network-stack costs, local filesystems, NFS servers,
// SCSI arrays and NVMe-oF targets. Plain values, no SimGrid. Every
// default states its source; README "Scenario files" lists them with
// their scenario keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace offload::models {

/// Electrical power of a machine or device, as SimGrid 3.32's host energy
/// plugin models it (Heinrich et al., "Predicting the energy consumption of
/// MPI applications at scale using only a single node", IEEE Cluster 2017):
/// `idle_W` while nothing runs; while something runs, epsilon_W +
/// (all_cores_W - epsilon_W) x load, load = busy cores / cores. Defaults:
/// the scenario's [energy] table (README "Energy").
struct PowerSpec {
  double idle_W = 0;        ///< watts with nothing running
  double epsilon_W = 0;     ///< watts with work on almost no core (the step out of idle)
  double all_cores_W = 0;   ///< watts with every core (or the device) busy
};

/// A disk: bandwidths and a per-I/O latency.
struct DiskSpec {
  double read_Bps = 0;      ///< read bandwidth, bytes/s
  double write_Bps = 0;     ///< write bandwidth, bytes/s
  double latency_s = 0;     ///< added to every I/O, seconds
  PowerSpec power;          ///< idle and busy watts of the device ([energy].disk)
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
  double buffer_fault_Bps = 8e9;      ///< bytes/s of fresh host buffer one core faults in and zeroes on first touch ([[host]] only)
  StackSpec stack;                    ///< TCP and storage-protocol stack costs
  PowerSpec power;                    ///< watts of the machine ([energy].client, .server or .array)
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
  double write_share = 0.5;           ///< share (0..1) of a host copy's two memcpys of CPU spent on the write side (the rest reads)
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
  int metadata_exchanges = 28;                ///< the client's compound sends per copy besides READ/WRITE and the copy FSCTLs (Linux 6.12 cifs + the engine, counted in /proc/fs/cifs/Stats in the SMB guest; README)
  int metadata_round_trips = 33;              ///< round trips the client waits for per copy besides READ/WRITE and the copy FSCTLs, one after the other; the metadata_exchanges ride in them (measured with netem delay in the SMB guest, bench/smb_guest_bench.sh: copychunk of 8 MiB 42.4 = 33.4 + 9 FSCTLs; README)
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

/// One NVMe-oF controller's Copy support and limits (NVM Command
/// Set 1.0: Copy, ONCS bit 8, MSSRL, MCL, MSRC). Limits default to QEMU's
/// emulated controller (hw/nvme/ns.c: mssrl 128, mcl 128, msrc 127), which
/// nvme_guest runs the engine's Copy against.
struct NvmeCopySpec {
  bool copy = true;                   ///< Copy supported (Identify Controller ONCS bit 8); false: Invalid Command Opcode
  int mssrl = 128;                    ///< most blocks in one source range (MSSRL, 1 to 65535)
  std::int64_t mcl = 128;             ///< most blocks one Copy command copies (MCL, 1 to 2^32 - 1)
  int msrc = 127;                     ///< source ranges per command, 0's based (MSRC, 0 to 255)
  int mdts = 0;                       ///< Identify Controller MDTS: Read/Write of at most 2^MDTS x 4 KiB (0 = no limit; Linux nvmet-tcp: 0)
};

/// NVMe over Fabrics (NVMe/TCP) framing and queues, NVMe/TCP 1.0
/// (NVMe over TCP Transport Specification 1.0) and Linux's nvme-tcp.
struct NvmeFabricSpec {
  int queues = 1;                     ///< I/O queues each host connects (Linux nvme-tcp: one per host CPU, option nr_io_queues)
  int queue_depth = 128;              ///< commands per I/O queue (Linux nvme-fabrics NVMF_DEF_QUEUE_SIZE: 128)
  double command_bytes = 72;          ///< CapsuleCmd PDU: 8-byte common header + 64-byte SQE (NVMe/TCP 1.0 PDU formats)
  double response_bytes = 24;         ///< CapsuleResp PDU: 8-byte header + 16-byte CQE
  double data_header_bytes = 24;      ///< H2CData, C2HData and R2T PDU headers
  double in_capsule_bytes = 16384;    ///< data a command may carry in its capsule (Copy's range list, small Writes); more waits for R2T (Linux nvmet-tcp NVMET_TCP_DEF_INLINE_DATA_SIZE, 4 pages)
};

/// An NVMe-oF target: one controller, its namespaces on one flash back end.
struct NvmeTargetSpec {
  std::string name;                   ///< name used in "TARGET:nsN"
  CpuSpec cpu;                        ///< target CPU: per_op_cpu per command, the TCP stack's costs
  std::optional<double> port_Bps;     ///< fabric port link, bytes/s
  DiskSpec flash;                     ///< flash back end (all namespaces): read and write rates, per-I/O latency
  double block_bytes = 512;           ///< logical block size, bytes (LBADS; QEMU's default 512)
  NvmeCopySpec copy;                  ///< Copy limits
  NvmeFabricSpec fabric;              ///< NVMe/TCP framing and queues
  int line = 0;
};

}  // namespace offload::models
