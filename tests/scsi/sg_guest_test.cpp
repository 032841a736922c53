// The engine on local SCSI disks through SG_IO: Linux LIO's loopback fabric
// (tcm_loop) in a QEMU guest turns fileio backstores into /dev/sdX and
// /dev/sgN (tests/targets/guest/lio-guest.sh run; built static: the guest
// has no libraries). Copies go through the LUN target `offload cp` uses
// (ScsiLunFactory) with the SG_IO transport (the router's choice for device
// paths, unit-tested on the host: this static program has no libiscsi,
// whose static archive needs RDMA libraries Debian ships only shared); every range is set up and verified through the block node
// with O_DIRECT (the kernel's sd driver, not the engine's SG_IO code):
//   - scsi-xcopy between two LUNs by /dev/sgN, 40 MiB (> one EXTENDED
//     COPY's 31 MiB span on LIO: split into two commands);
//   - by /dev/sdX with offsets, nothing written outside the range;
//   - within one LUN, also through its two names (/dev/sgN and /dev/sdX);
//   - LIO's equal-NAA trap LUNs refused before copying, host fallback in auto;
//   - a source LUN whose EXTENDED COPY is switched off (LIO's emulate_3pc=0:
//     INVALID COMMAND OPERATION CODE): auto falls back to host, recorded;
//   - host READ/WRITE(16) through SG_IO; bad addresses and ranges.
// Environment (set by lio-init.sh): OFFLOAD_SG_LUNS, OFFLOAD_LUN<N>_SD,
// OFFLOAD_LUN<N>_SG. Without it every test skips.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/scsi_lun.hpp"
#include "engine/targets/sg_io_transport.hpp"
#include "tests/targets/block_pattern.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;

std::string env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value != nullptr ? value : "";
}
std::string sd(int lun) { return env("OFFLOAD_LUN" + std::to_string(lun) + "_SD"); }
std::string sg(int lun) { return env("OFFLOAD_LUN" + std::to_string(lun) + "_SG"); }

// What the address router does for a device path.
std::expected<std::unique_ptr<ScsiTransport>, CopyError> open_device(const std::string& path) {
  auto device = SgIoTransport::open(path);
  if (!device) return std::unexpected(device.error());
  return std::unique_ptr<ScsiTransport>(std::move(*device));
}

std::uint64_t bytes_by(const CopyStatus& s, Method m) { return s.bytes_by_method[static_cast<std::size_t>(m)]; }

class SgGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("OFFLOAD_SG_LUNS").empty()) {
      GTEST_SKIP() << "OFFLOAD_SG_LUNS unset: runs inside the LIO loopback guest (tests/targets/guest/lio-guest.sh run)";
    }
    for (int lun = 0; lun < 4; ++lun) ASSERT_FALSE(sd(lun).empty() || sg(lun).empty()) << "LUN " << lun << " has no nodes";
  }

  // Submits through the LUN target `offload cp` uses and waits; the error when refused at submit.
  std::expected<CopyStatus, CopyError> copy(CopyRequest request) {
    RealRuntime runtime(8);
    ScsiLunFactory luns(open_device);
    Engine engine(runtime, luns);
    auto start = std::chrono::steady_clock::now();
    auto cookie = engine.submit(request);
    if (!cookie) {
      std::printf("sg-guest: %s -> %s refused: %s\n", request.source.c_str(), request.destination.c_str(),
                  cookie.error().describe().c_str());
      return std::unexpected(cookie.error());
    }
    CopyStatus status = *engine.wait(*cookie);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("sg-guest: %s -> %s %llu bytes: %s via %s [%s -> %s], %llu operations, %.2f s%s\n", request.source.c_str(),
                request.destination.c_str(), static_cast<unsigned long long>(status.bytes_done),
                std::string(state_name(status.state)).c_str(), status.methods_used_text().c_str(),
                status.source_fs.c_str(), status.destination_fs.c_str(),
                static_cast<unsigned long long>(status.operations), seconds,
                status.error ? (" error " + status.error->describe()).c_str() : "");
    for (const FallbackRecord& f : status.fallbacks) {
      std::printf("sg-guest:   fallback %s -> %s for %llu bytes: %s\n", std::string(method_name(f.from)).c_str(),
                  std::string(method_name(f.to)).c_str(), static_cast<unsigned long long>(f.bytes), f.detail.c_str());
    }
    std::fflush(stdout);
    return status;
  }
};

TEST_F(SgGuest, XcopyBetweenLunsThroughSgIsSplit) {
  const std::uint64_t length = 40 * kMiB;  // LIO: one 31 MiB segment per EXTENDED COPY -> 2 commands
  ASSERT_EQ(fill(sd(0), 0, length, 11), "");
  auto status = copy({.source = sg(0), .destination = sg(1), .length = length, .method = MethodChoice::scsi_xcopy});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
  EXPECT_EQ(bytes_by(*status, Method::scsi_xcopy), length);
  EXPECT_EQ(bytes_by(*status, Method::host), 0U);
  EXPECT_TRUE(status->fallbacks.empty());
  EXPECT_EQ(status->operations, 1U + 2U + 1U);  // map, two EXTENDED COPY, SYNCHRONIZE CACHE
  EXPECT_EQ(host_bytes_not_moved(*status), length);
  EXPECT_EQ(status->source_fs.substr(0, 10), "sg:LIO-ORG");
  EXPECT_EQ(check(sd(1), 0, length, 11), "");
  EXPECT_EQ(check(sd(0), 0, length, 11), "");
}

TEST_F(SgGuest, XcopyThroughBlockNodesWritesOnlyTheRange) {
  ASSERT_EQ(fill(sd(0), 48 * kMiB, 4 * kMiB, 12), "");
  auto status = copy({.source = sd(0), .destination = sd(1), .source_offset = 48 * kMiB,
                      .destination_offset = 100 * kMiB, .length = 4 * kMiB, .method = MethodChoice::scsi_xcopy});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
  EXPECT_EQ(bytes_by(*status, Method::scsi_xcopy), 4 * kMiB);
  EXPECT_EQ(check(sd(1), 100 * kMiB, 4 * kMiB, 12), "");
  EXPECT_EQ(check(sd(1), 99 * kMiB, kMiB, 0), "") << "written before the range";
  EXPECT_EQ(check(sd(1), 104 * kMiB, kMiB, 0), "") << "written after the range";
}

TEST_F(SgGuest, XcopyWithinOneLunAndThroughItsTwoNames) {
  ASSERT_EQ(fill(sd(0), 0, 8 * kMiB, 13), "");
  auto within = copy({.source = sg(0), .destination = sg(0), .destination_offset = 200 * kMiB, .length = 8 * kMiB,
                      .method = MethodChoice::scsi_xcopy});
  ASSERT_TRUE(within) << within.error().describe();
  ASSERT_EQ(within->state, CopyState::done) << (within->error ? within->error->describe() : "");
  EXPECT_EQ(bytes_by(*within, Method::scsi_xcopy), 8 * kMiB);
  EXPECT_EQ(check(sd(0), 200 * kMiB, 8 * kMiB, 13), "");
  // /dev/sgN and /dev/sdX of one LUN: one LUN (same SCSI H:C:T:L), not the equal-NAA trap.
  auto two_names = copy({.source = sg(0), .destination = sd(0), .destination_offset = 300 * kMiB, .length = 4 * kMiB,
                         .method = MethodChoice::scsi_xcopy});
  ASSERT_TRUE(two_names) << two_names.error().describe();
  ASSERT_EQ(two_names->state, CopyState::done) << (two_names->error ? two_names->error->describe() : "");
  EXPECT_EQ(check(sd(0), 300 * kMiB, 4 * kMiB, 13), "");
  auto overlap = copy({.source = sg(0), .destination = sd(0), .destination_offset = kMiB, .length = 4 * kMiB,
                       .method = MethodChoice::scsi_xcopy});
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("same LUN and the ranges overlap"), std::string::npos) << overlap.error().describe();
  EXPECT_EQ(check(sd(0), 0, 8 * kMiB, 13), "");
}

TEST_F(SgGuest, EqualNaaTrapRefusedBeforeCopying) {
  ASSERT_EQ(fill(sd(2), 0, 4 * kMiB, 21), "");
  ASSERT_EQ(fill(sd(3), 0, 4 * kMiB, 22), "");
  auto pinned = copy({.source = sg(2), .destination = sg(3), .length = 4 * kMiB, .method = MethodChoice::scsi_xcopy});
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error().errno_value, EINVAL);
  EXPECT_NE(pinned.error().message.find("report the same LUN designator"), std::string::npos) << pinned.error().describe();
  EXPECT_EQ(check(sd(2), 0, 4 * kMiB, 21), "");
  EXPECT_EQ(check(sd(3), 0, 4 * kMiB, 22), "");
  // auto: the refusal is a recorded fallback; the host moves the bytes to the right LUN.
  auto automatic = copy({.source = sd(2), .destination = sg(3), .length = 4 * kMiB});
  ASSERT_TRUE(automatic) << automatic.error().describe();
  ASSERT_EQ(automatic->state, CopyState::done) << (automatic->error ? automatic->error->describe() : "");
  EXPECT_EQ(bytes_by(*automatic, Method::host), 4 * kMiB);
  EXPECT_EQ(bytes_by(*automatic, Method::scsi_xcopy), 0U);
  ASSERT_EQ(automatic->fallbacks.size(), 1U);
  EXPECT_NE(automatic->fallbacks[0].detail.find("same LUN designator"), std::string::npos);
  EXPECT_EQ(check(sd(3), 0, 4 * kMiB, 21), "");
  EXPECT_EQ(check(sd(2), 0, 4 * kMiB, 21), "");
}

// Sets a LUN's backstore attribute for the life of the object.
class BackstoreAttribute {
 public:
  BackstoreAttribute(int lun, std::string name, const std::string& value)
      : path_(env("OFFLOAD_LUN" + std::to_string(lun) + "_BACKSTORE") + "/attrib/" + std::move(name)) {
    std::ifstream(path_) >> old_;
    std::ofstream(path_) << value << "\n";
    std::string now;
    std::ifstream(path_) >> now;
    set_ = now == value;
  }
  ~BackstoreAttribute() { std::ofstream(path_) << old_ << "\n"; }
  [[nodiscard]] bool set() const { return set_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_, old_;
  bool set_ = false;
};

TEST_F(SgGuest, InvalidOperationCodeFallsBackToHost) {
  BackstoreAttribute no_xcopy(3, "emulate_3pc", "0");  // LIO then answers EXTENDED COPY with INVALID OPERATION CODE
  ASSERT_TRUE(no_xcopy.set()) << "cannot set " << no_xcopy.path();
  ASSERT_EQ(fill(sd(3), 8 * kMiB, 2 * kMiB, 41), "");
  auto pinned = copy({.source = sg(3), .destination = sg(0), .source_offset = 8 * kMiB,
                      .destination_offset = 600 * kMiB, .length = 2 * kMiB, .method = MethodChoice::scsi_xcopy});
  if (pinned) {  // refused by the device at the first EXTENDED COPY, nothing written
    EXPECT_EQ(pinned->state, CopyState::failed);
    ASSERT_TRUE(pinned->error.has_value());
    EXPECT_EQ(pinned->error->errno_value, EOPNOTSUPP) << pinned->error->describe();
  } else {  // or at submit, from discovery
    EXPECT_EQ(pinned.error().errno_value, EOPNOTSUPP) << pinned.error().describe();
  }
  EXPECT_EQ(check(sd(0), 600 * kMiB, 2 * kMiB, 0), "") << "a refused pinned scsi-xcopy wrote the destination";
  auto automatic = copy({.source = sg(3), .destination = sd(0), .source_offset = 8 * kMiB,
                         .destination_offset = 600 * kMiB, .length = 2 * kMiB});
  ASSERT_TRUE(automatic) << automatic.error().describe();
  ASSERT_EQ(automatic->state, CopyState::done) << (automatic->error ? automatic->error->describe() : "");
  EXPECT_EQ(bytes_by(*automatic, Method::host), 2 * kMiB);
  EXPECT_EQ(bytes_by(*automatic, Method::scsi_xcopy), 0U);
  ASSERT_EQ(automatic->fallbacks.size(), 1U);
  EXPECT_EQ(automatic->fallbacks[0].errno_value, EOPNOTSUPP);
  EXPECT_NE(automatic->fallbacks[0].detail.find("INVALID COMMAND OPERATION CODE"), std::string::npos)
      << automatic->fallbacks[0].detail;
  EXPECT_EQ(check(sd(0), 600 * kMiB, 2 * kMiB, 41), "");
}

TEST_F(SgGuest, HostCopyThroughSgIo) {
  const std::uint64_t length = 3 * kMiB + 512;  // not a whole number of transfers
  ASSERT_EQ(fill(sd(1), 400 * kMiB, 4 * kMiB, 31), "");
  auto status = copy({.source = sg(1), .destination = sg(0), .source_offset = 400 * kMiB,
                      .destination_offset = 500 * kMiB, .length = length, .method = MethodChoice::host});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
  EXPECT_EQ(bytes_by(*status, Method::host), length);
  EXPECT_EQ(check(sd(0), 500 * kMiB, 3 * kMiB, 31), "");
  // The last 512 bytes: pattern words 3 MiB / 8 on; the block after stays zero.
  AlignedBuffer tail(4096);
  int fd = ::open(sd(0).c_str(), O_RDONLY | O_DIRECT);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pread(fd, tail.data, 4096, static_cast<off_t>(500 * kMiB + 3 * kMiB)), 4096);
  ::close(fd);
  AlignedBuffer want(512);
  make_pattern(want.data, 512, 31, 3 * kMiB);
  EXPECT_EQ(std::memcmp(tail.data, want.data, 512), 0);
  EXPECT_EQ(tail.data[512], 0);
}

TEST_F(SgGuest, AddressesThatAreNoLunsOrRangesOutside) {
  auto virtio = copy({.source = "/dev/vda", .destination = sg(0), .length = kMiB});
  ASSERT_FALSE(virtio);
  EXPECT_EQ(virtio.error().path, "/dev/vda");
  EXPECT_NE(virtio.error().message.find("does not accept SG_IO"), std::string::npos) << virtio.error().describe();
  auto past = copy({.source = sg(2), .destination = sg(0), .length = 65 * kMiB});  // LUN 2 is 64 MiB
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().message.find("ends past the end of the LUN"), std::string::npos) << past.error().describe();
  auto partial = copy({.source = sg(0), .destination = sg(1), .length = 1000});
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message.find("whole 512-byte blocks"), std::string::npos) << partial.error().describe();
  auto regular = copy({.source = sg(0), .destination = "/init", .length = kMiB});
  ASSERT_FALSE(regular);
  EXPECT_NE(regular.error().message.find("not a block or character device"), std::string::npos) << regular.error().describe();
}

}  // namespace
}  // namespace offload::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
