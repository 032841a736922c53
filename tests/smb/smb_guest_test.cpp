// The engine on real SMB3 mounts: ksmbd (the in-kernel SMB server) sharing
// an XFS (reflink=1) and an ext4 filesystem, and the Linux SMB client
// (cifs), both in a QEMU guest (tests/targets/guest/smb-guest.sh runs this
// program there, built static). Every method copies a file on the mounts;
// the client's /proc/fs/cifs/Stats counts the SMB2 requests (IOCTL: the
// FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK_WRITE and
// FSCTL_DUPLICATE_EXTENTS_TO_FILE calls; READ/WRITE and their payload),
// the interface counters every byte and packet of the SMB connection, and each copy is
// verified byte for byte. At exit one line "OFFLOAD-SMB-RESULT {json}"
// gives the measurements per case (read by tests/smb/smb_guest_check.py).
//   OFFLOAD_SMB_XFS, OFFLOAD_SMB_EXT4                 the two mounts (the test skips without them)
//   OFFLOAD_SMB_XFS_EXPORT, OFFLOAD_SMB_EXT4_EXPORT   the shared directories, as the server sees them
//   OFFLOAD_SMB_WIRE_COUNTERS  interface byte counter files, summed
//   OFFLOAD_SMB_FILE_BYTES     file size (default 4 MiB + 4097)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/file_check.hpp"
#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/status_json.hpp"
#include "engine/targets/posix_file.hpp"
#include "engine/targets/smb_mount.hpp"
#include "cli/cifs_stats.hpp"

namespace offload::testing {
using cli::CifsShareCounters;
using cli::read_cifs_stats;
using cli::read_counter_sum;
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// A few MiB (slow emulation) with an unaligned tail, unless the bench asks for more.
std::uint64_t file_bytes() {
  static const std::uint64_t bytes = env("OFFLOAD_SMB_FILE_BYTES").empty()
                                         ? (4ULL << 20) + 4097
                                         : std::stoull(env("OFFLOAD_SMB_FILE_BYTES"));
  return bytes;
}
// "Near zero": what an offloaded copy may still move over the connection
// (SMB2 headers of the CREATE/IOCTL/CLOSE exchange, TCP/IP headers).
std::uint64_t near_zero_bytes() { return file_bytes() / 16; }

// SMB2 IOCTL requests each copy sends, from the Linux 6.12 client's source
// and counted in this guest (/proc/fs/cifs/Stats):
// The engine's map_data (lseek SEEK_DATA, SEEK_HOLE) becomes two
// FSCTL_QUERY_ALLOCATED_RANGES (smb3_llseek).
constexpr std::uint64_t kAllocatedRangeQueries = 2;
// The client copies one chunk per FSCTL_SRV_COPYCHUNK_WRITE
// (smb2_copychunk_range: ChunkCount 1, Length = tcon->max_bytes_chunk,
// 1 MiB by default, below ksmbd's limits of 256 chunks, 1 MiB per chunk,
// 16 MiB per request), after one FSCTL_SRV_REQUEST_RESUME_KEY per
// copy_file_range call (one here: the file is below the engine's 64 MiB).
constexpr std::uint64_t kCopychunkBytes = 1ULL << 20;
std::uint64_t copychunk_requests() { return (file_bytes() + kCopychunkBytes - 1) / kCopychunkBytes; }

nlohmann::json& results() {
  static nlohmann::json all = {{"file_bytes", file_bytes()}, {"cases", nlohmann::json::object()}};
  return all;
}

// Flushes the client's page cache so reads go to the server.
void drop_caches() {
  sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

/// One share: the client's mount and the server's directory.
struct Share {
  std::string name;    ///< "xfs" or "ext4" (the SMB share name)
  std::string mount;   ///< client side
  std::string server;  ///< server side
};

struct Measured {
  std::optional<CopyStatus> status;  // unset when submit refused the copy
  std::string refused;               // submit's error, when it refused
  CifsShareCounters smb;             // requests and payload of the copy, both shares
  std::uint64_t wire_bytes = 0;      // bytes of the SMB connection during the copy
  std::uint64_t wire_packets = 0;    // packets of the SMB connection during the copy
  std::string verified = "not copied";  // "" when the destination equals the source
  bool server_shares_extents = false;   // the server's copy shares extents with the source
};

CifsShareCounters add(CifsShareCounters a, const CifsShareCounters& b) {
  for (const auto& [label, count] : b.requests) a.requests[label] += count;
  a.bytes_read += b.bytes_read;
  a.bytes_written += b.bytes_written;
  return a;
}

// The packet counters beside the byte counters (".../tx_bytes" -> ".../tx_packets").
std::string packet_counters(std::string files) {
  for (std::size_t at = files.find("_bytes"); at != std::string::npos; at = files.find("_bytes", at)) {
    files.replace(at, 6, "_packets");
  }
  return files;
}

class SmbGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    xfs_ = {"xfs", env("OFFLOAD_SMB_XFS"), env("OFFLOAD_SMB_XFS_EXPORT")};
    ext4_ = {"ext4", env("OFFLOAD_SMB_EXT4"), env("OFFLOAD_SMB_EXT4_EXPORT")};
    counters_ = env("OFFLOAD_SMB_WIRE_COUNTERS");
    if (xfs_.mount.empty() || ext4_.mount.empty() || counters_.empty()) {
      GTEST_SKIP() << "OFFLOAD_SMB_* unset: runs inside the SMB guest (tests/targets/guest/smb-guest.sh)";
    }
    ASSERT_TRUE(read_cifs_stats("xfs") && read_cifs_stats("ext4")) << "no xfs/ext4 share in /proc/fs/cifs/Stats";
  }

  CifsShareCounters both_shares() {
    auto xfs = read_cifs_stats("xfs");
    auto ext4 = read_cifs_stats("ext4");
    EXPECT_TRUE(xfs && ext4);
    return add(xfs.value_or(CifsShareCounters{}), ext4.value_or(CifsShareCounters{}));
  }

  // Writes the source on the server's side (no client cache), copies it
  // through the mounts with `method`, flushes, and reads the counters around it.
  Measured copy(const std::string& label, const Share& from, const Share& to, MethodChoice method) {
    std::string source = "src-" + label, destination = "dst-" + label;
    Measured m;
    unlink((to.server + "/" + destination).c_str());  // a repeated run copies to a free name again
    auto written = cli::write_pattern_file(from.server + "/" + source, file_bytes(), 7 + label.size());
    EXPECT_TRUE(written) << written.error();
    drop_caches();
    auto smb_before = both_shares();
    auto wire_before = read_counter_sum(counters_);
    auto packets_before = read_counter_sum(packet_counters(counters_));
    auto start = std::chrono::steady_clock::now();
    {
      RealRuntime runtime(8);
      PosixFileFactory files;
      Engine engine(runtime, files);
      auto cookie = engine.submit({.source = from.mount + "/" + source, .destination = to.mount + "/" + destination,
                                   .method = method});
      if (cookie) {
        m.status = *engine.wait(*cookie);
      } else {
        m.refused = cookie.error().describe();
      }
    }
    int fd = open((to.mount + "/" + destination).c_str(), O_RDONLY);
    if (fd >= 0) { fsync(fd); close(fd); }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto wire_after = read_counter_sum(counters_);
    EXPECT_TRUE(wire_before && wire_after) << "cannot read " << counters_;
    if (wire_before && wire_after) m.wire_bytes = *wire_after - *wire_before;
    auto packets_after = read_counter_sum(packet_counters(counters_));
    if (packets_before && packets_after) m.wire_packets = *packets_after - *packets_before;
    m.smb = both_shares().since(smb_before);
    if (m.status && m.status->state == CopyState::done) {
      drop_caches();  // the check reads the destination from the server
      auto same = cli::files_equal(from.server + "/" + source, to.mount + "/" + destination, file_bytes());
      m.verified = same ? "" : same.error();
      auto shared = cli::shares_extents(to.server + "/" + destination);
      m.server_shares_extents = shared && *shared;
    }
    record(label, from, to, method, m, seconds);
    return m;
  }

  static void record(const std::string& label, const Share& from, const Share& to, MethodChoice method,
                     const Measured& m, double seconds) {
    nlohmann::json fallbacks = nlohmann::json::array();
    if (m.status) {
      for (const auto& f : m.status->fallbacks) {
        fallbacks.push_back({{"from", method_name(f.from)}, {"to", method_name(f.to)},
                             {"errno", errno_name(f.errno_value)}, {"detail", f.detail}});
      }
    }
    nlohmann::json requests = nlohmann::json::object();
    for (const auto& [name, count] : m.smb.requests) {
      if (count > 0) requests[name] = count;
    }
    results()["cases"][label] = {
        {"from", from.name}, {"to", to.name}, {"method", method_choice_name(method)},
        {"state", m.status ? std::string(state_name(m.status->state)) : "refused"},
        {"error", m.status && m.status->error ? m.status->error->describe() : m.refused},
        {"methods_used", m.status ? m.status->methods_used_text() : "none"},
        {"fallbacks", fallbacks},
        {"filesystem", m.status ? m.status->destination_fs : ""},
        {"verified", m.verified.empty()},
        {"server_shares_extents", m.server_shares_extents},
        {"seconds", seconds},
        {"wire_bytes", m.wire_bytes},
        {"wire_packets", m.wire_packets},
        {"smb_bytes_read", m.smb.bytes_read},
        {"smb_bytes_written", m.smb.bytes_written},
        {"requests", requests}};
  }

  static void expect_done_and_verified(const Measured& m, const std::string& used) {
    ASSERT_TRUE(m.status) << m.refused;
    ASSERT_EQ(m.status->state, CopyState::done) << (m.status->error ? m.status->error->describe() : "");
    EXPECT_EQ(m.verified, "") << "destination differs from the source";
    EXPECT_EQ(m.status->bytes_done, file_bytes());
    EXPECT_EQ(m.status->methods_used_text(), used);
    EXPECT_TRUE(is_smb_filesystem(m.status->destination_fs)) << m.status->destination_fs;
  }

  // Neither READ nor WRITE carried the data, and the connection stayed quiet.
  static void expect_no_data_through_client(const Measured& m) {
    EXPECT_LT(m.smb.bytes_read, near_zero_bytes()) << "READ carried data";
    EXPECT_LT(m.smb.bytes_written, near_zero_bytes()) << "WRITE carried data";
    EXPECT_LT(m.wire_bytes, near_zero_bytes()) << "the SMB connection carried the data";
  }

  Share xfs_, ext4_;
  std::string counters_;
};

TEST_F(SmbGuest, HostMovesEveryByteThroughTheClient) {
  Measured m = copy("host", xfs_, xfs_, MethodChoice::host);
  expect_done_and_verified(m, "host");
  // In as READ replies, out as WRITE requests: twice the file on the connection.
  EXPECT_GE(m.smb.bytes_read, file_bytes());
  EXPECT_GE(m.smb.bytes_written, file_bytes());
  EXPECT_GE(m.wire_bytes, 2 * file_bytes());
  EXPECT_EQ(m.smb.of("IOCTLs"), kAllocatedRangeQueries) << "a host copy sent an offload FSCTL";
}

TEST_F(SmbGuest, KernelCopyIsCopychunk) {
  Measured m = copy("kernel-copy", xfs_, xfs_, MethodChoice::kernel_copy);
  expect_done_and_verified(m, "kernel-copy");
  EXPECT_EQ(m.smb.of("IOCTLs"), kAllocatedRangeQueries + 1 + copychunk_requests());
  EXPECT_TRUE(m.server_shares_extents) << "ksmbd's copy on XFS (vfs_copy_file_range) did not reflink";
  expect_no_data_through_client(m);
}

TEST_F(SmbGuest, CloneIsDuplicateExtents) {
  Measured m = copy("clone", xfs_, xfs_, MethodChoice::clone);
  expect_done_and_verified(m, "clone");
  // The open's zero-length probe and the clone: two FSCTL_DUPLICATE_EXTENTS_TO_FILE.
  EXPECT_EQ(m.smb.of("IOCTLs"), kAllocatedRangeQueries + 2);
  EXPECT_TRUE(m.server_shares_extents) << "the server's copy shares no extent with the source";
  expect_no_data_through_client(m);
}

TEST_F(SmbGuest, CloneOnExt4IsRefused) {
  Measured m = copy("ext4-clone", ext4_, ext4_, MethodChoice::clone);
  ASSERT_FALSE(m.status && m.status->state == CopyState::done) << "ext4 cannot share extents";
  std::string error = m.status && m.status->error ? m.status->error->describe() : m.refused;
  EXPECT_NE(error.find("SMB server refused FSCTL_DUPLICATE_EXTENTS_TO_FILE"), std::string::npos) << error;
  EXPECT_EQ(m.smb.of("IOCTLs"), 1U) << "the open's probe alone reaches the server";
}

TEST_F(SmbGuest, AutoOnExt4FallsBackToCopychunk) {
  Measured m = copy("ext4-auto", ext4_, ext4_, MethodChoice::automatic);
  expect_done_and_verified(m, "kernel-copy");
  ASSERT_FALSE(m.status->fallbacks.empty()) << "no recorded fallback from clone";
  EXPECT_EQ(m.status->fallbacks.front().from, Method::clone);
  EXPECT_EQ(m.status->fallbacks.front().to, Method::kernel_copy);
  EXPECT_NE(m.status->fallbacks.front().detail.find("SMB server refused FSCTL_DUPLICATE_EXTENTS_TO_FILE"),
            std::string::npos) << m.status->fallbacks.front().detail;
  EXPECT_EQ(m.smb.of("IOCTLs"), kAllocatedRangeQueries + 1 + 1 + copychunk_requests());
  expect_no_data_through_client(m);
}

// Two shares of one server and one session: the VFS refuses the clone
// between mounts, copychunk still runs on the server (ksmbd finds the
// source by its resume key in any tree connection of the session).
TEST_F(SmbGuest, CrossShareFallsBackToCopychunk) {
  Measured m = copy("cross-share", xfs_, ext4_, MethodChoice::automatic);
  expect_done_and_verified(m, "kernel-copy");
  ASSERT_FALSE(m.status->fallbacks.empty());
  EXPECT_EQ(m.status->fallbacks.front().errno_value, EXDEV);
  EXPECT_NE(m.status->fallbacks.front().detail.find("cross-share"), std::string::npos) << m.status->fallbacks.front().detail;
  EXPECT_EQ(m.smb.of("IOCTLs"), kAllocatedRangeQueries + 1 + copychunk_requests());
  expect_no_data_through_client(m);
}

TEST_F(SmbGuest, FilesystemNameIsSmb) {
  int fd = open(xfs_.mount.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(is_smb_filesystem(filesystem_name(fd))) << filesystem_name(fd);  // "smb2" for SMB 2+ dialects
  close(fd);
  fd = open(xfs_.server.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(filesystem_name(fd), "xfs");
  close(fd);
}

// Prints the measurements once every test ran.
class ResultPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!results()["cases"].empty()) std::printf("OFFLOAD-SMB-RESULT %s\n", results().dump().c_str());
    std::fflush(stdout);
  }
};

}  // namespace
}  // namespace offload::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new offload::testing::ResultPrinter);
  return RUN_ALL_TESTS();
}
