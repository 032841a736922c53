#include "engine/targets/sg_io_transport.hpp"

#include <fcntl.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/scsi/sense.hpp"

namespace offload {
namespace {

struct HostStatus {
  std::uint16_t code;
  const char* name;
  int errno_value;
};

// <scsi/scsi.h> DID_* codes, with the errno the block layer gives each
// (scsi_result_to_blk_status, blk_status_to_errno).
constexpr std::array<HostStatus, 20> kHostStatuses{{
    {0x01, "DID_NO_CONNECT", ENXIO},          {0x02, "DID_BUS_BUSY", EBUSY},
    {0x03, "DID_TIME_OUT", ETIMEDOUT},        {0x04, "DID_BAD_TARGET", ENXIO},
    {0x05, "DID_ABORT", ECANCELED},           {0x06, "DID_PARITY", EIO},
    {0x07, "DID_ERROR", EIO},                 {0x08, "DID_RESET", ECONNRESET},
    {0x09, "DID_BAD_INTR", EIO},              {0x0A, "DID_PASSTHROUGH", EIO},
    {0x0B, "DID_SOFT_ERROR", EAGAIN},         {0x0C, "DID_IMM_RETRY", EAGAIN},
    {0x0D, "DID_REQUEUE", EAGAIN},            {0x0E, "DID_TRANSPORT_DISRUPTED", EAGAIN},
    {0x0F, "DID_TRANSPORT_FAILFAST", ENOLINK}, {0x10, "DID_TARGET_FAILURE", EREMOTEIO},
    {0x11, "DID_NEXUS_FAILURE", EBADE},       {0x12, "DID_ALLOC_FAILURE", ENOSPC},
    {0x13, "DID_MEDIUM_ERROR", ENODATA},      {0x14, "DID_TRANSPORT_MARGINAL", ENOLINK},
}};

constexpr std::uint16_t kDriverSense = 0x08;    // DRIVER_SENSE: sense data valid, not an error
constexpr std::uint16_t kDriverTimeout = 0x06;  // DRIVER_TIMEOUT

std::string hex(unsigned value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%02x", value);
  return text;
}

std::string read_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// /sys/dev/{block,char}/MAJ:MIN for a device node.
std::filesystem::path sysfs_node(const struct stat& st) {
  return std::filesystem::path(S_ISBLK(st.st_mode) ? "/sys/dev/block" : "/sys/dev/char") /
         (std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)));
}

// The request queue directory of the disk behind a node (block: its own;
// sg: the scsi_device's block child, if any).
std::filesystem::path queue_directory(const struct stat& st) {
  std::error_code ec;
  std::filesystem::path node = sysfs_node(st);
  if (S_ISBLK(st.st_mode)) return node / "queue";
  for (const auto& entry : std::filesystem::directory_iterator(node / "device" / "block", ec)) return entry.path() / "queue";
  return {};
}

std::uint64_t transfer_limit(const struct stat& st) {
  constexpr std::uint64_t kUnknown = 256 << 10;
  std::filesystem::path queue = queue_directory(st);
  if (queue.empty()) return kUnknown;
  std::uint64_t kib = std::strtoull(read_line(queue / "max_sectors_kb").c_str(), nullptr, 10);
  std::uint64_t segments = std::strtoull(read_line(queue / "max_segments").c_str(), nullptr, 10);
  if (kib == 0) return kUnknown;
  std::uint64_t bytes = kib << 10;
  long page = sysconf(_SC_PAGESIZE);
  if (segments != 0 && page > 0) bytes = std::min<std::uint64_t>(bytes, segments * static_cast<std::uint64_t>(page));
  return bytes;
}

std::string lun_identity(const struct stat& st) {
  std::error_code ec;
  std::filesystem::path device = std::filesystem::canonical(sysfs_node(st) / "device", ec);
  if (!ec && !device.filename().empty()) return "scsi " + device.filename().string();
  return "dev " + std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
}

CopyError open_error(int err, const std::string& path, const std::string& what) {
  return CopyError{err, path, what + ": " + std::strerror(err)};
}

}  // namespace

bool is_scsi_device_path(std::string_view text) { return text.starts_with("/dev/sg") || text.starts_with("/dev/sd"); }

bool is_device_node(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));
}

std::string sg_host_status_name(std::uint16_t host_status) {
  if (host_status == 0) return "";
  for (const HostStatus& s : kHostStatuses) {
    if (s.code == host_status) return s.name;
  }
  return "host status " + hex(host_status);
}

int sg_host_status_errno(std::uint16_t host_status) {
  if (host_status == 0) return 0;
  for (const HostStatus& s : kHostStatuses) {
    if (s.code == host_status) return s.errno_value;
  }
  return EIO;
}

ScsiOutcome sg_io_outcome(const SgIoReply& reply, std::string_view device, unsigned timeout_ms) {
  ScsiOutcome outcome;
  const std::string where = "SG_IO on " + std::string(device);
  if (reply.ioctl_errno != 0) {
    outcome.status = -1;
    outcome.transport_errno = reply.ioctl_errno;
    outcome.transport_error = where + " failed: " + std::strerror(reply.ioctl_errno);
    return outcome;
  }
  const std::uint16_t driver = reply.driver_status & 0x0F;
  const bool timed_out = reply.host_status == 0x03 || driver == kDriverTimeout;
  if (timed_out) {
    outcome.status = -1;
    outcome.transport_errno = ETIMEDOUT;
    outcome.transport_error = where + ": no answer within " + std::to_string(timeout_ms / 1000) + " s (" +
                              (reply.host_status != 0 ? sg_host_status_name(reply.host_status) : "DRIVER_TIMEOUT") +
                              "; the kernel aborted the command)";
    return outcome;
  }
  if (reply.host_status != 0) {
    outcome.status = -1;
    outcome.transport_errno = sg_host_status_errno(reply.host_status);
    outcome.transport_error = where + ": host adapter status " + sg_host_status_name(reply.host_status) + " (" +
                              hex(reply.host_status) + ")";
    return outcome;
  }
  if (driver != 0 && driver != kDriverSense) {
    outcome.status = -1;
    outcome.transport_errno = EIO;
    outcome.transport_error = where + ": driver status " + hex(reply.driver_status);
    return outcome;
  }
  outcome.status = reply.status & 0x7E;
  if (!reply.sense.empty()) {
    if (auto sense = scsi::decode_sense(reply.sense)) outcome.sense = *sense;
  }
  if (outcome.status == scsi::status::good) {
    std::size_t residual = reply.residual > 0 ? static_cast<std::size_t>(reply.residual) : 0;
    outcome.data_in_bytes = reply.transfer_bytes - std::min(residual, reply.transfer_bytes);
  }
  return outcome;
}

std::expected<std::unique_ptr<SgIoTransport>, CopyError> SgIoTransport::open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(open_error(errno, path, "cannot open SCSI device"));
  if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
    return std::unexpected(CopyError{EINVAL, path, "not a block or character device (SG_IO needs a node such as /dev/sgN or /dev/sdX)"});
  }
  std::error_code ec;
  if (S_ISBLK(st.st_mode) && std::filesystem::exists(sysfs_node(st) / "partition", ec)) {
    return std::unexpected(CopyError{EINVAL, path, "is a partition: SG_IO addresses the whole disk; name the disk "
                                                   "(e.g. /dev/sdX) and give the range with --source-offset / "
                                                   "--destination-offset / --length"});
  }
  int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::unexpected(open_error(errno, path, "cannot open SCSI device read-write"));
  // TEST UNIT READY: any SCSI answer (even NOT READY) shows SG_IO works here.
  std::array<std::uint8_t, 6> test_unit_ready{};
  std::array<std::uint8_t, kSgIoSenseBytes> sense{};
  sg_io_hdr_t header{};
  header.interface_id = 'S';
  header.dxfer_direction = SG_DXFER_NONE;
  header.cmd_len = test_unit_ready.size();
  header.cmdp = test_unit_ready.data();
  header.mx_sb_len = sense.size();
  header.sbp = sense.data();
  header.timeout = kSgIoTimeoutMs;
  if (::ioctl(fd, SG_IO, &header) != 0) {
    int err = errno;
    ::close(fd);
    std::string kind = S_ISBLK(st.st_mode) ? "block" : "character";
    return std::unexpected(CopyError{err == ENOTTY || err == EINVAL ? EINVAL : err, path,
                                     "a " + kind + " device that does not accept SG_IO (" + std::strerror(err) +
                                         "): not a SCSI logical unit; SCSI LUNs are /dev/sgN or /dev/sdX, "
                                         "files must be regular files"});
  }
  return std::unique_ptr<SgIoTransport>(new SgIoTransport(fd, path, lun_identity(st), transfer_limit(st)));
}

SgIoTransport::~SgIoTransport() { ::close(fd_); }

ScsiOutcome SgIoTransport::once(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                                std::span<std::uint8_t> data_in) {
  std::array<std::uint8_t, kSgIoSenseBytes> sense{};
  sg_io_hdr_t header{};
  header.interface_id = 'S';
  if (!data_out.empty()) {
    header.dxfer_direction = SG_DXFER_TO_DEV;
    header.dxfer_len = static_cast<unsigned>(data_out.size());
    header.dxferp = const_cast<std::uint8_t*>(data_out.data());
  } else if (!data_in.empty()) {
    header.dxfer_direction = SG_DXFER_FROM_DEV;
    header.dxfer_len = static_cast<unsigned>(data_in.size());
    header.dxferp = data_in.data();
  } else {
    header.dxfer_direction = SG_DXFER_NONE;
  }
  header.cmd_len = static_cast<unsigned char>(cdb.size());
  header.cmdp = const_cast<std::uint8_t*>(cdb.data());
  header.mx_sb_len = sense.size();
  header.sbp = sense.data();
  const bool copy_command = !cdb.empty() && (cdb[0] == 0x83 || cdb[0] == 0x84);
  header.timeout = copy_command ? kSgIoCopyTimeoutMs : kSgIoTimeoutMs;
  SgIoReply reply;
  int rc;
  do {
    rc = ::ioctl(fd_, SG_IO, &header);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) reply.ioctl_errno = errno;
  reply.status = header.status;
  reply.host_status = header.host_status;
  reply.driver_status = header.driver_status;
  reply.residual = header.resid;
  reply.transfer_bytes = header.dxfer_len;
  reply.sense = std::span<const std::uint8_t>(sense.data(), std::min<std::size_t>(header.sb_len_wr, sense.size()));
  return sg_io_outcome(reply, path_, header.timeout);
}

ScsiOutcome SgIoTransport::command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                                   std::span<std::uint8_t> data_in) {
  if (cdb.empty() || cdb.size() > 255 || data_out.size() > UINT_MAX || data_in.size() > UINT_MAX) {
    return ScsiOutcome{.status = -1, .transport_error = "SG_IO on " + path_ + ": CDB or buffer of an impossible size",
                       .transport_errno = EINVAL};
  }
  return retry_unit_attention([&] { return once(cdb, data_out, data_in); });
}

}  // namespace offload
