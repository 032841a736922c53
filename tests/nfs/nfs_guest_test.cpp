// The engine on a real NFSv4.2 mount: Linux nfsd exporting XFS (reflink=1)
// and the Linux NFS client, both in a QEMU guest (tests/targets/guest/
// nfs-guest.sh runs this program there, built static). Every method copies
// a file between two names on the mount; the client's /proc/self/mountstats
// shows which NFS operations carried it, and the copy is verified byte for
// byte. At exit one line "OFFLOAD-NFS-RESULT {json}" gives, per method, the
// wire bytes of every operation (read back by tests/nfs/nfs_guest_check.py).
//   OFFLOAD_NFS_DIR     the NFSv4.2 mount point (the test skips without it)
//   OFFLOAD_NFS_EXPORT  the exported XFS directory, as seen by the server
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
#include "tests/nfs/mountstats.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kFileBytes = (4ULL << 20) + 4097;  // a few MiB (slow emulation), unaligned tail
// "Near zero": what an offloaded copy may still move as READ/WRITE payload.
constexpr std::uint64_t kNearZeroBytes = kFileBytes / 64;

nlohmann::json& results() {
  static nlohmann::json all = {{"file_bytes", kFileBytes}, {"methods", nlohmann::json::object()}};
  return all;
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Flushes the client's page cache so reads go to the server.
void drop_caches() {
  sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

struct Measured {
  CopyStatus status;
  NfsMountCounters wire;  // operations and bytes of the copy alone
  std::string verified;   // "" when the destination equals the source
};

class NfsGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_ = env("OFFLOAD_NFS_DIR");
    export_ = env("OFFLOAD_NFS_EXPORT");
    if (mount_.empty() || export_.empty()) {
      GTEST_SKIP() << "OFFLOAD_NFS_DIR/OFFLOAD_NFS_EXPORT unset: runs inside the NFS guest (tests/targets/guest/nfs-guest.sh)";
    }
    ASSERT_TRUE(read_mountstats(mount_)) << mount_ << " is not an NFS mount in /proc/self/mountstats";
  }

  // Writes the source on the server's side (no client cache), copies it on
  // the mount with `method`, flushes, and reads the counters around it.
  Measured copy(MethodChoice method) {
    std::string name(method_choice_name(method));
    std::string source = "src-" + name, destination = "dst-" + name;
    Measured m;
    auto written = cli::write_pattern_file(export_ + "/" + source, kFileBytes, 42 + static_cast<int>(method));
    EXPECT_TRUE(written) << written.error();
    drop_caches();
    auto before = read_mountstats(mount_);
    auto start = std::chrono::steady_clock::now();
    RealRuntime runtime(8);
    PosixFileFactory files;
    Engine engine(runtime, files);
    auto cookie = engine.submit({.source = mount_ + "/" + source, .destination = mount_ + "/" + destination, .method = method});
    EXPECT_TRUE(cookie) << cookie.error().describe();
    if (!cookie) return m;
    m.status = *engine.wait(*cookie);
    int fd = open((mount_ + "/" + destination).c_str(), O_RDONLY);
    if (fd >= 0) { fsync(fd); close(fd); }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto after = read_mountstats(mount_);
    EXPECT_TRUE(before && after);
    if (before && after) m.wire = after->since(*before);
    drop_caches();  // the check below reads the destination from the server
    auto same = cli::files_equal(export_ + "/" + source, mount_ + "/" + destination, kFileBytes);
    m.verified = same ? "" : same.error();
    record(name, m, seconds);
    return m;
  }

  static void record(const std::string& name, const Measured& m, double seconds) {
    nlohmann::json ops = nlohmann::json::object();
    for (const auto& [op, c] : m.wire.ops) {
      if (c.ops > 0) ops[op] = {{"ops", c.ops}, {"bytes_sent", c.bytes_sent}, {"bytes_recv", c.bytes_recv}};
    }
    results()["methods"][name] = {
        {"state", state_name(m.status.state)},
        {"methods_used", m.status.methods_used_text()},
        {"bytes_by_method", bytes_by_method_json(m.status)},
        {"source_fs", m.status.source_fs},
        {"destination_fs", m.status.destination_fs},
        {"verified", m.verified.empty()},
        {"seconds", seconds},
        {"read_payload_bytes", m.wire.op("READ").bytes_recv},
        {"write_payload_bytes", m.wire.op("WRITE").bytes_sent},
        {"wire_bytes", m.wire.wire_bytes()},
        {"ops", ops}};
  }

  // Common to every method: done, every byte right, on NFS both sides.
  static void expect_done_and_verified(const Measured& m, const std::string& used) {
    ASSERT_EQ(m.status.state, CopyState::done) << (m.status.error ? m.status.error->describe() : "");
    EXPECT_EQ(m.verified, "") << "destination differs from the source";
    EXPECT_EQ(m.status.bytes_done, kFileBytes);
    EXPECT_EQ(m.status.methods_used_text(), used);
    EXPECT_EQ(m.status.source_fs, "nfs");
    EXPECT_EQ(m.status.destination_fs, "nfs");
  }

  // Neither READ nor WRITE carried the data: the server copied it.
  static void expect_no_data_through_client(const Measured& m) {
    EXPECT_LT(m.wire.op("READ").bytes_recv, kNearZeroBytes) << "READ carried data";
    EXPECT_LT(m.wire.op("WRITE").bytes_sent, kNearZeroBytes) << "WRITE carried data";
  }

  std::string mount_, export_;
};

TEST_F(NfsGuest, HostMovesEveryByteThroughTheClient) {
  Measured m = copy(MethodChoice::host);
  expect_done_and_verified(m, "host");
  // The whole file came in as READ replies and went out as WRITE calls, once.
  EXPECT_GE(m.wire.op("READ").bytes_recv, kFileBytes);
  EXPECT_LT(m.wire.op("READ").bytes_recv, kFileBytes + kNearZeroBytes);
  EXPECT_GE(m.wire.op("WRITE").bytes_sent, kFileBytes);
  EXPECT_LT(m.wire.op("WRITE").bytes_sent, kFileBytes + kNearZeroBytes);
  EXPECT_EQ(m.wire.op("COPY").ops, 0U);
  EXPECT_EQ(m.wire.op("CLONE").ops, 0U);
}

TEST_F(NfsGuest, KernelCopyIsAServerSideCopy) {
  Measured m = copy(MethodChoice::kernel_copy);
  expect_done_and_verified(m, "kernel-copy");
  EXPECT_GE(m.wire.op("COPY").ops, 1U) << "copy_file_range did not send NFSv4.2 COPY";
  EXPECT_EQ(m.wire.op("CLONE").ops, 0U);
  expect_no_data_through_client(m);
}

TEST_F(NfsGuest, CloneIsAServerSideClone) {
  Measured m = copy(MethodChoice::clone);
  expect_done_and_verified(m, "clone");
  EXPECT_GE(m.wire.op("CLONE").ops, 1U) << "FICLONERANGE did not send NFSv4.2 CLONE";
  EXPECT_EQ(m.wire.op("COPY").ops, 0U);
  expect_no_data_through_client(m);
}

TEST_F(NfsGuest, AutoPicksTheOffload) {
  Measured m = copy(MethodChoice::automatic);
  expect_done_and_verified(m, "clone");  // the ladder's first rung works on an XFS export
  EXPECT_TRUE(m.status.fallbacks.empty());
  EXPECT_GE(m.wire.op("CLONE").ops + m.wire.op("COPY").ops, 1U);
  expect_no_data_through_client(m);
}

TEST_F(NfsGuest, FilesystemNameIsNfs) {
  int fd = open(mount_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(filesystem_name(fd), "nfs");
  close(fd);
  fd = open(export_.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(filesystem_name(fd), "xfs");
  close(fd);
}

// Prints the measurements once every test ran.
class ResultPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!results()["methods"].empty()) std::printf("OFFLOAD-NFS-RESULT %s\n", results().dump().c_str());
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
