// The NVMe namespace target through the engine, on an in-memory controller
// (fake_controller.hpp) that decodes the real command bytes: Copy split to
// the namespace's limits in the closed-form number of commands, bytes
// compared; the recorded fallbacks (no Copy in ONCS, limits of 0, two
// namespaces, a controller refusing Copy or failing it); cancel between
// Copy commands; the range rules; and the router's NVMe addresses.
#include <gtest/gtest.h>

#include <cerrno>
#include <memory>

#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/address_router.hpp"
#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/nvme_namespace.hpp"
#include "tests/nvme/fake_controller.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kBlock = 512;

std::uint64_t bytes_by(const CopyStatus& s, Method m) { return s.bytes_by_method[static_cast<std::size_t>(m)]; }

void fill_pattern(FakeNvmeDevice& device, std::uint64_t offset, std::uint64_t length, std::uint8_t seed) {
  for (std::uint64_t i = 0; i < length; ++i) device.media[offset + i] = static_cast<std::uint8_t>((i * 131 + seed) % 251);
}

bool same_bytes(const FakeNvmeDevice& device, std::uint64_t a, std::uint64_t b, std::uint64_t length) {
  return std::equal(device.media.begin() + static_cast<std::ptrdiff_t>(a),
                    device.media.begin() + static_cast<std::ptrdiff_t>(a + length),
                    device.media.begin() + static_cast<std::ptrdiff_t>(b));
}

class NvmeTarget : public ::testing::Test {
 protected:
  FakeNvmeDevice device;
  FakeNvmeDevice other;  // a second controller's namespace (serial fake-2, set in SetUp)
  void SetUp() override { other.controller.serial = "fake-2"; }
  RealRuntime runtime{4};
  NvmeNamespaceFactory factory{[this](const std::string& address) -> std::expected<std::unique_ptr<NvmeTransport>, CopyError> {
    if (address == "/dev/ng1n1") return std::make_unique<FakeNvmeTransport>(address, other);
    return std::make_unique<FakeNvmeTransport>(address, device);
  }};

  std::expected<CopyStatus, CopyError> copy(CopyRequest request, EngineConfig config = {}) {
    Engine engine(runtime, factory, config);
    auto cookie = engine.submit(request);
    if (!cookie) return std::unexpected(cookie.error());
    return *engine.wait(*cookie);
  }
};

TEST_F(NvmeTarget, CopyIsSplitToTheLimitsInTheClosedFormCount) {
  // MSSRL 16, MSRC 2 (three ranges), MCL 40: min(40, 3 x 16) = 40 blocks per command.
  for (std::uint64_t blocks : {1ULL, 16ULL, 40ULL, 41ULL, 200ULL, 333ULL}) {
    device.copies.clear();
    fill_pattern(device, 100 * kBlock, blocks * kBlock, static_cast<std::uint8_t>(blocks));
    auto status = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .source_offset = 100 * kBlock,
                        .destination_offset = 1000 * kBlock, .length = blocks * kBlock});
    ASSERT_TRUE(status) << status.error().describe();
    ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
    EXPECT_EQ(bytes_by(*status, Method::nvme_copy), blocks * kBlock);
    EXPECT_EQ(bytes_by(*status, Method::host), 0U);
    EXPECT_TRUE(status->fallbacks.empty());
    EXPECT_EQ(device.copies.size(), (blocks + 39) / 40) << blocks << " blocks";
    for (const nvme::Copy& c : device.copies) {
      EXPECT_LE(c.ranges.size(), 3U);
      EXPECT_LE(c.blocks(), 40U);
    }
    EXPECT_TRUE(same_bytes(device, 100 * kBlock, 1000 * kBlock, blocks * kBlock)) << blocks << " blocks";
    EXPECT_EQ(status->source_fs, "nvme:fake NVMe");
  }
  EXPECT_GE(device.flushes, 1U);
  EXPECT_EQ(device.reads + device.writes, 0U);
}

TEST_F(NvmeTarget, TwoNamesOfOneNamespaceAreOneNamespace) {
  fill_pattern(device, 0, 64 * kBlock, 3);
  auto status = copy({.source = "/dev/ng0n1", .destination = "/dev/nvme0n1", .destination_offset = 64 * kBlock,
                      .length = 64 * kBlock, .method = MethodChoice::nvme_copy});
  ASSERT_TRUE(status) << status.error().describe();
  EXPECT_EQ(status->state, CopyState::done);
  EXPECT_EQ(bytes_by(*status, Method::nvme_copy), 64 * kBlock);
  EXPECT_TRUE(same_bytes(device, 0, 64 * kBlock, 64 * kBlock));
  auto overlap = copy({.source = "/dev/ng0n1", .destination = "/dev/nvme0n1", .destination_offset = 8 * kBlock,
                       .length = 64 * kBlock});
  ASSERT_FALSE(overlap);
  EXPECT_NE(overlap.error().message.find("same namespace and the ranges overlap"), std::string::npos);
}

TEST_F(NvmeTarget, NoCopyInOncsFallsBackToHostWithTheReason) {
  device.controller.oncs = 0x5F;  // bit 8 clear
  fill_pattern(device, 0, 100 * kBlock, 5);
  auto status = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 200 * kBlock,
                      .length = 100 * kBlock});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::done);
  EXPECT_EQ(bytes_by(*status, Method::host), 100 * kBlock);
  ASSERT_EQ(status->fallbacks.size(), 1U);
  EXPECT_EQ(status->fallbacks[0].from, Method::nvme_copy);
  EXPECT_EQ(status->fallbacks[0].errno_value, EOPNOTSUPP);
  EXPECT_NE(status->fallbacks[0].detail.find("ONCS bit 8 is clear"), std::string::npos) << status->fallbacks[0].detail;
  EXPECT_TRUE(device.copies.empty()) << "Copy sent to a controller without it";
  EXPECT_TRUE(same_bytes(device, 0, 200 * kBlock, 100 * kBlock));
  // MDTS 2: 16 KiB = 32 blocks per Read/Write.
  EXPECT_EQ(device.reads, 4U);
  auto pinned = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 200 * kBlock,
                      .length = 8 * kBlock, .method = MethodChoice::nvme_copy});
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error().errno_value, EOPNOTSUPP);
  EXPECT_NE(pinned.error().message.find("nvme-copy is not possible"), std::string::npos);
}

TEST_F(NvmeTarget, ZeroLimitsAndTwoNamespacesAreRecordedFallbacks) {
  device.ns.mcl = 0;  // QEMU's legacy `-device nvme,drive=` form
  auto zero = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 64 * kBlock,
                    .length = 8 * kBlock});
  ASSERT_TRUE(zero);
  ASSERT_EQ(zero->fallbacks.size(), 1U);
  EXPECT_NE(zero->fallbacks[0].detail.find("limits of 0"), std::string::npos);
  device.ns.mcl = 40;
  fill_pattern(device, 0, 8 * kBlock, 9);
  auto two = copy({.source = "/dev/nvme0n1", .destination = "/dev/ng1n1", .length = 8 * kBlock});
  ASSERT_TRUE(two) << two.error().describe();
  EXPECT_EQ(two->state, CopyState::done);
  EXPECT_EQ(bytes_by(*two, Method::host), 8 * kBlock);
  ASSERT_EQ(two->fallbacks.size(), 1U);
  EXPECT_NE(two->fallbacks[0].detail.find("different namespaces"), std::string::npos);
  EXPECT_TRUE(std::equal(device.media.begin(), device.media.begin() + 8 * kBlock, other.media.begin()));
  EXPECT_TRUE(device.copies.empty() && other.copies.empty());
}

TEST_F(NvmeTarget, RefusedOrFailedCopyFallsBackWithTheStatusNamed) {
  device.copy_status = 0x4001;  // ONCS says Copy but the controller refuses the opcode
  fill_pattern(device, 0, 50 * kBlock, 7);
  auto refused = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 100 * kBlock,
                       .length = 50 * kBlock});
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->state, CopyState::done);
  ASSERT_EQ(refused->fallbacks.size(), 1U);
  EXPECT_EQ(refused->fallbacks[0].errno_value, EOPNOTSUPP);
  EXPECT_NE(refused->fallbacks[0].detail.find("Invalid Command Opcode (generic status 0x01, DNR)"), std::string::npos)
      << refused->fallbacks[0].detail;
  EXPECT_TRUE(same_bytes(device, 0, 100 * kBlock, 50 * kBlock));
  device.copy_status = 0x0281;  // Unrecovered Read Error inside the controller's copy
  auto failed = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 300 * kBlock,
                      .length = 50 * kBlock});
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->state, CopyState::done);
  ASSERT_FALSE(failed->fallbacks.empty());
  EXPECT_EQ(failed->fallbacks[0].errno_value, EREMOTEIO);
  EXPECT_NE(failed->fallbacks[0].detail.find("Unrecovered Read Error"), std::string::npos);
  EXPECT_TRUE(same_bytes(device, 0, 300 * kBlock, 50 * kBlock));
  // Pinned: the error is the copy's.
  auto pinned = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 300 * kBlock,
                      .length = 50 * kBlock, .method = MethodChoice::nvme_copy});
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->state, CopyState::failed);
  EXPECT_EQ(pinned->error->errno_value, EREMOTEIO);
}

TEST_F(NvmeTarget, CancelStopsBetweenCopyCommands) {
  device.pause_before_copy = 2;
  Engine engine(runtime, factory, EngineConfig{.copy_depth = 1});
  auto cookie = engine.submit({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 2000 * kBlock,
                               .length = 400 * kBlock, .method = MethodChoice::nvme_copy});
  ASSERT_TRUE(cookie) << cookie.error().describe();
  device.wait_paused();
  EXPECT_TRUE(engine.cancel(*cookie));
  device.release();
  CopyStatus status = *engine.wait(*cookie);
  EXPECT_EQ(status.state, CopyState::cancelled);
  EXPECT_EQ(device.copies.size(), 2U) << "Copy commands went on after the cancel";
}

TEST_F(NvmeTarget, RangesAndMethodsOutsideTheRules) {
  auto past = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .source_offset = 4000 * kBlock,
                    .destination_offset = 0, .length = 200 * kBlock});
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().message.find("ends past the end of the namespace"), std::string::npos) << past.error().describe();
  auto partial = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .destination_offset = 8 * kBlock, .length = 1000});
  ASSERT_FALSE(partial);
  EXPECT_NE(partial.error().message.find("whole 512-byte blocks"), std::string::npos);
  auto clone = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .length = kBlock, .method = MethodChoice::clone});
  ASSERT_FALSE(clone);
  EXPECT_EQ(clone.error().errno_value, EOPNOTSUPP);
  auto atomic = copy({.source = "/dev/nvme0n1", .destination = "/dev/nvme0n1", .length = kBlock, .atomic = true});
  ASSERT_FALSE(atomic);
  EXPECT_EQ(atomic.error().errno_value, EINVAL);
}

TEST(NvmeAddresses, NamespaceNodesOnly) {
  EXPECT_TRUE(is_nvme_namespace_path("/dev/nvme0n1"));
  EXPECT_TRUE(is_nvme_namespace_path("/dev/ng12n3"));
  EXPECT_FALSE(is_nvme_namespace_path("/dev/nvme0"));
  EXPECT_FALSE(is_nvme_namespace_path("/dev/nvme0n1p1"));
  EXPECT_FALSE(is_nvme_namespace_path("/dev/nvme0n"));
  EXPECT_FALSE(is_nvme_namespace_path("/dev/ngn1"));
  EXPECT_FALSE(is_nvme_namespace_path("/dev/sda"));
}

TEST(NvmeAddresses, RouterRefusesMixesAndNonNamespaces) {
  AddressRouter router;
  auto mix = router.open({.source = "/dev/nvme0n1", .destination = "/tmp/offload-nvme-file"});
  ASSERT_FALSE(mix);
  EXPECT_EQ(mix.error().errno_value, EINVAL);
  EXPECT_EQ(mix.error().path, "/tmp/offload-nvme-file");
  EXPECT_NE(mix.error().message.find("both ends must be namespaces"), std::string::npos);
  auto null_device = NvmeIoctlTransport::open("/dev/null");
  ASSERT_FALSE(null_device);
  EXPECT_NE(null_device.error().message.find("is not an NVMe namespace"), std::string::npos) << null_device.error().describe();
  auto missing = router.open({.source = "/dev/nvme97n1", .destination = "/dev/nvme97n1"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value, ENOENT);
  EXPECT_EQ(missing.error().path, "/dev/nvme97n1");
}

}  // namespace
}  // namespace offload::testing
