// The engine on real NVMe namespaces: QEMU's emulated NVMe controller in a
// TCG guest (tests/targets/guest/nvme-guest.sh run; built static: the guest
// has no libraries). Copies go through the namespace target `offload cp`
// uses (NvmeNamespaceFactory) with the passthrough transport, wrapped here
// to count and decode every Copy command the controller receives; every
// range is set up and verified through the block node with O_DIRECT (the
// kernel's nvme driver, not the engine's passthrough code):
//   - nvme-copy within the namespace that has small limits (nvme-ns
//     mssrl/mcl/msrc), at several sizes: split into the closed-form number
//     of commands, each within the limits, every byte compared;
//   - through the generic character device /dev/ngXnY with offsets,
//     nothing written outside the range: the router's transport choice
//     sends every command there through io_uring (NVME_URING_CMD_IO in
//     128-byte SQEs, engine/targets/nvme_uring_transport.hpp) and the
//     status records it ("nvme-uring"); the block node stays on the ioctl;
//     a cancel there (held before a Copy through a hook) stops between
//     Copy commands, the blocks before it copied, none after;
//   - the namespace of QEMU's legacy `-device nvme,drive=` form (Copy
//     limits 0): auto falls back to host with the reason recorded, pinned
//     nvme-copy is refused at submit; between the two controllers' namespaces
//     the same;
//   - host copy vs NVMe Copy times at a few sizes, Copy with the small
//     limits and on namespace 2 with large ones (printed "nvme-guest:
//     timing" lines for bench/README.md).
// Environment (set by nvme-init.sh): OFFLOAD_NVME_COPY (block node of the
// namespace with limits), OFFLOAD_NVME_COPY_NG (its generic node),
// OFFLOAD_NVME_MSSRL / _MCL / _MSRC (the limits QEMU was given),
// OFFLOAD_NVME_BIG and OFFLOAD_NVME_BIG_MSSRL / _MCL / _MSRC (namespace 2,
// large limits), OFFLOAD_NVME_LEGACY (block node of the legacy namespace). Without it
// every test skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "engine/nvme/copy_plan.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/nvme_namespace.hpp"
#include "engine/targets/nvme_transport_choice.hpp"
#include "engine/targets/nvme_uring_transport.hpp"
#include "tests/targets/block_pattern.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kKiB = 1ULL << 10;
constexpr std::uint64_t kMiB = 1ULL << 20;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}
std::uint32_t env_number(const char* name) { return static_cast<std::uint32_t>(std::strtoul(env(name).c_str(), nullptr, 10)); }

// The Copy commands a controller received, decoded from the bytes sent,
// and an optional hold before the Copy numbered `pause_at` is sent (the
// test cancels while it is held, then releases it: no sleep, no race).
struct CopyLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<nvme::Copy> copies;
  std::vector<std::string> undecodable;
  std::size_t pause_at = 0;  // 1-based Copy to hold (0 = none)
  bool paused = false, released = false;
  void wait_paused() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return paused; });
  }
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    changed.notify_all();
  }
};

// The passthrough transport, recording every Copy it carries.
class RecordingTransport final : public NvmeTransport {
 public:
  RecordingTransport(std::unique_ptr<NvmeTransport> inner, CopyLog& log) : inner_(std::move(inner)), log_(log) {}
  [[nodiscard]] std::string address() const override { return inner_->address(); }
  [[nodiscard]] std::uint32_t namespace_id() const override { return inner_->namespace_id(); }
  [[nodiscard]] std::string kind() const override { return inner_->kind(); }
  /// Commands the inner transport sent through io_uring (0 for the ioctl).
  [[nodiscard]] std::uint64_t uring_commands() const {
    auto* ring = dynamic_cast<const NvmeUringTransport*>(inner_.get());
    return ring != nullptr ? ring->uring_commands() : 0;
  }
  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override {
    return inner_->admin(command, data_in);
  }
  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override {
    if (command.opcode == static_cast<std::uint8_t>(nvme::IoOpcode::copy)) {
      auto decoded = nvme::decode_copy(command, data_out);
      std::unique_lock lock(log_.mutex);
      if (decoded) {
        log_.copies.push_back(*decoded);
      } else {
        log_.undecodable.push_back(decoded.error().describe());
      }
      if (log_.copies.size() == log_.pause_at) {
        log_.paused = true;
        log_.changed.notify_all();
        log_.changed.wait(lock, [&] { return log_.released; });
      }
    }
    return inner_->io(command, data_out, data_in);
  }

 private:
  std::unique_ptr<NvmeTransport> inner_;
  CopyLog& log_;
};

// Commands sent through io_uring by the transports a copy opened (the probe's Flush included).
struct UringCount {
  std::mutex mutex;
  std::vector<std::shared_ptr<RecordingTransport>> opened;
  std::uint64_t total() {
    std::lock_guard lock(mutex);
    std::uint64_t sum = 0;
    for (const auto& t : opened) sum += t->uring_commands();
    return sum;
  }
};

// Shares one transport between the factory (which owns it) and the test (which counts).
class SharedTransport final : public NvmeTransport {
 public:
  explicit SharedTransport(std::shared_ptr<RecordingTransport> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] std::string address() const override { return inner_->address(); }
  [[nodiscard]] std::uint32_t namespace_id() const override { return inner_->namespace_id(); }
  [[nodiscard]] std::string kind() const override { return inner_->kind(); }
  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override {
    return inner_->admin(command, data_in);
  }
  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override {
    return inner_->io(command, data_out, data_in);
  }

 private:
  std::shared_ptr<RecordingTransport> inner_;
};

std::uint64_t bytes_by(const CopyStatus& s, Method m) { return s.bytes_by_method[static_cast<std::size_t>(m)]; }

class NvmeGuest : public ::testing::Test {
 public:
  void SetUp() override {
    if (env("OFFLOAD_NVME_COPY").empty()) {
      GTEST_SKIP() << "OFFLOAD_NVME_COPY unset: runs inside the NVMe guest (tests/targets/guest/nvme-guest.sh run)";
    }
    limits = {.max_range_blocks = env_number("OFFLOAD_NVME_MSSRL"), .max_command_blocks = env_number("OFFLOAD_NVME_MCL"),
              .max_ranges = env_number("OFFLOAD_NVME_MSRC") + 1};
    ASSERT_GT(nvme::blocks_per_command(limits), 0U) << "the guest passed no limits";
  }

  // Submits through the namespace target `offload cp` uses and waits; the error when refused at submit.
  // The router's choice (io_uring for /dev/ngXnY where it works, the ioctl
  // otherwise), every transport recorded in `log` and counted in `uring`.
  NvmeNamespaceFactory namespaces() {
    return NvmeNamespaceFactory([this](const std::string& address) -> std::expected<std::unique_ptr<NvmeTransport>, CopyError> {
      auto device = open_nvme_transport(address);
      if (!device) return std::unexpected(device.error());
      auto recording = std::make_shared<RecordingTransport>(std::move(*device), log);
      std::lock_guard lock(uring.mutex);
      uring.opened.push_back(recording);
      return std::make_unique<SharedTransport>(recording);
    });
  }

  std::expected<CopyStatus, CopyError> copy(CopyRequest request, double* seconds = nullptr) {
    RealRuntime runtime(8);
    NvmeNamespaceFactory factory = namespaces();
    Engine engine(runtime, factory);
    auto start = std::chrono::steady_clock::now();
    auto cookie = engine.submit(request);
    if (!cookie) {
      std::printf("nvme-guest: %s -> %s refused: %s\n", request.source.c_str(), request.destination.c_str(),
                  cookie.error().describe().c_str());
      return std::unexpected(cookie.error());
    }
    CopyStatus status = *engine.wait(*cookie);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds != nullptr) *seconds = took;
    std::printf("nvme-guest: %s -> %s %llu bytes: %s via %s [%s], %zu Copy commands, %.3f s%s\n", request.source.c_str(),
                request.destination.c_str(), static_cast<unsigned long long>(status.bytes_done),
                std::string(state_name(status.state)).c_str(), status.methods_used_text().c_str(), status.source_fs.c_str(),
                log.copies.size(), took, status.error ? (" error " + status.error->describe()).c_str() : "");
    for (const FallbackRecord& f : status.fallbacks) {
      std::printf("nvme-guest:   fallback %s -> %s for %llu bytes: %s\n", std::string(method_name(f.from)).c_str(),
                  std::string(method_name(f.to)).c_str(), static_cast<unsigned long long>(f.bytes), f.detail.c_str());
    }
    std::fflush(stdout);
    return status;
  }

  CopyLog log;
  UringCount uring;
  nvme::CopyLimits limits;
};

TEST_F(NvmeGuest, CopyIsSplitByTheLimitsAtSeveralSizes) {
  const std::string ns = env("OFFLOAD_NVME_COPY");
  const std::uint64_t per_command = nvme::blocks_per_command(limits) * 512;  // nvme-ns: 512-byte blocks
  std::uint64_t destination = 64 * kMiB;
  for (std::uint64_t length : {4 * kKiB, per_command, per_command + 4 * kKiB, 3 * kMiB + 512}) {
    log.copies.clear();
    const std::uint64_t seed = 100 + length % 97;
    ASSERT_EQ(fill(ns, 0, length, seed), "");
    auto status = copy({.source = ns, .destination = ns, .destination_offset = destination, .length = length});
    ASSERT_TRUE(status) << status.error().describe();
    ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
    EXPECT_EQ(bytes_by(*status, Method::nvme_copy), length);
    EXPECT_EQ(bytes_by(*status, Method::host), 0U);
    EXPECT_TRUE(status->fallbacks.empty());
    EXPECT_EQ(log.copies.size(), (length + per_command - 1) / per_command) << length << " bytes";
    EXPECT_TRUE(log.undecodable.empty());
    for (const nvme::Copy& c : log.copies) {
      EXPECT_LE(c.ranges.size(), limits.max_ranges);
      EXPECT_LE(c.blocks(), limits.max_command_blocks);
      for (const nvme::SourceRange& r : c.ranges) EXPECT_LE(r.blocks, limits.max_range_blocks);
    }
    EXPECT_EQ(check(ns, destination, length, seed), "") << length << " bytes";
    destination += 8 * kMiB;
  }
}

TEST_F(NvmeGuest, GenericNodeWithOffsetsWritesOnlyTheRange) {
  const std::string ns = env("OFFLOAD_NVME_COPY");
  const std::string ng = env("OFFLOAD_NVME_COPY_NG");
  ASSERT_FALSE(ng.empty());
  ASSERT_EQ(fill(ns, 16 * kMiB, 2 * kMiB, 7), "");
  ASSERT_EQ(fill(ns, 120 * kMiB, 4 * kMiB, 0), "");
  auto status = copy({.source = ng, .destination = ns, .source_offset = 16 * kMiB, .destination_offset = 121 * kMiB,
                      .length = 2 * kMiB, .method = MethodChoice::nvme_copy});
  ASSERT_TRUE(status) << status.error().describe();
  ASSERT_EQ(status->state, CopyState::done) << (status->error ? status->error->describe() : "");
  EXPECT_EQ(bytes_by(*status, Method::nvme_copy), 2 * kMiB);
  // The guest's Linux 6.1 and liburing carry URING_CMD: the source went by io_uring, recorded.
  EXPECT_EQ(nvme_uring_unavailable_reason(), "");
  EXPECT_TRUE(status->source_fs.starts_with("nvme-uring:")) << status->source_fs;
  EXPECT_TRUE(status->destination_fs.starts_with("nvme:")) << status->destination_fs << " (the block node takes the ioctl)";
  const std::uint64_t per_command = nvme::blocks_per_command(limits) * 512;
  const std::uint64_t copies = (2 * kMiB + per_command - 1) / per_command;
  EXPECT_EQ(log.copies.size(), copies);
  // The probe's Flush and every Copy went by io_uring (the Flush at the end goes to the destination's ioctl).
  EXPECT_EQ(uring.total(), copies + 1);
  EXPECT_EQ(check(ns, 121 * kMiB, 2 * kMiB, 7), "");
  EXPECT_EQ(check(ns, 120 * kMiB, kMiB, 0), "") << "written before the range";
  EXPECT_EQ(check(ns, 123 * kMiB, kMiB, 0), "") << "written after the range";
}

// Cancel on the io_uring path: held before the 5th Copy, cancelled, released:
// that Copy runs out and no other is sent; its blocks and the 4 before it
// are copied, nothing after them.
TEST_F(NvmeGuest, CancelOnTheIoUringPathStopsBetweenCopyCommands) {
  const std::string ns = env("OFFLOAD_NVME_COPY");
  const std::string ng = env("OFFLOAD_NVME_COPY_NG");
  const std::uint64_t per_command = nvme::blocks_per_command(limits) * 512;
  ASSERT_EQ(fill(ns, 32 * kMiB, 2 * kMiB, 13), "");
  ASSERT_EQ(fill(ns, 40 * kMiB, 2 * kMiB, 0), "");
  log.pause_at = 5;
  RealRuntime runtime(8);
  NvmeNamespaceFactory factory = namespaces();
  Engine engine(runtime, factory, EngineConfig{.copy_depth = 1});
  auto cookie = engine.submit({.source = ng, .destination = ng, .source_offset = 32 * kMiB, .destination_offset = 40 * kMiB,
                               .length = 2 * kMiB, .method = MethodChoice::nvme_copy});
  ASSERT_TRUE(cookie) << cookie.error().describe();
  log.wait_paused();
  EXPECT_TRUE(engine.cancel(*cookie));
  log.release();
  CopyStatus status = *engine.wait(*cookie);
  std::printf("nvme-guest: cancel at the 5th Copy on %s [%s]: %s, %zu Copy commands sent\n", ng.c_str(),
              status.source_fs.c_str(), std::string(state_name(status.state)).c_str(), log.copies.size());
  EXPECT_EQ(status.state, CopyState::cancelled);
  EXPECT_TRUE(status.source_fs.starts_with("nvme-uring:")) << status.source_fs;
  EXPECT_EQ(log.copies.size(), 5U) << "Copy commands went on after the cancel";
  // Every Copy that was sent was completed through the ring, after the probe Flush.
  EXPECT_GE(uring.total(), 1 + log.copies.size());
  // The plan copies in ascending order: the first 5 commands' blocks arrived, nothing after.
  const std::uint64_t copied = 5 * per_command;
  ASSERT_LT(copied, 2 * kMiB);
  std::string first = check(ns, 40 * kMiB, copied, 13);
  EXPECT_TRUE(first.empty()) << first;
  std::string rest = check(ns, 40 * kMiB + copied, 2 * kMiB - copied, 0);
  EXPECT_TRUE(rest.empty()) << "written after the cancel: " << rest;
}

TEST_F(NvmeGuest, LegacyNamespaceWithoutCopyLimitsFallsBackRecorded) {
  const std::string legacy = env("OFFLOAD_NVME_LEGACY");
  ASSERT_FALSE(legacy.empty());
  ASSERT_EQ(fill(legacy, 0, kMiB, 9), "");
  auto automatic = copy({.source = legacy, .destination = legacy, .destination_offset = 8 * kMiB, .length = kMiB});
  ASSERT_TRUE(automatic) << automatic.error().describe();
  ASSERT_EQ(automatic->state, CopyState::done) << (automatic->error ? automatic->error->describe() : "");
  EXPECT_EQ(bytes_by(*automatic, Method::host), kMiB);
  ASSERT_EQ(automatic->fallbacks.size(), 1U);
  EXPECT_EQ(automatic->fallbacks[0].errno_value, EOPNOTSUPP);
  EXPECT_NE(automatic->fallbacks[0].detail.find("limits of 0"), std::string::npos) << automatic->fallbacks[0].detail;
  EXPECT_TRUE(log.copies.empty()) << "Copy sent to a namespace with limits 0";
  EXPECT_EQ(check(legacy, 8 * kMiB, kMiB, 9), "");
  auto pinned = copy({.source = legacy, .destination = legacy, .destination_offset = 8 * kMiB, .length = kMiB,
                      .method = MethodChoice::nvme_copy});
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error().errno_value, EOPNOTSUPP);
  // Two controllers' namespaces: Copy formats 0h/1h stay within one namespace.
  auto across = copy({.source = env("OFFLOAD_NVME_COPY"), .destination = legacy, .destination_offset = 16 * kMiB,
                      .length = kMiB});
  ASSERT_TRUE(across) << across.error().describe();
  ASSERT_EQ(across->state, CopyState::done);
  ASSERT_EQ(across->fallbacks.size(), 1U);
  EXPECT_NE(across->fallbacks[0].detail.find("different namespaces"), std::string::npos);
  EXPECT_TRUE(log.copies.empty());
}

// Median seconds of `repeat` copies of `length` bytes within `ns` by
// `method`, each verified; `commands` gets the Copy commands of the last.
double median_copy_seconds(NvmeGuest& test, const std::string& ns, std::uint64_t length, MethodChoice method,
                           std::size_t* commands);

TEST_F(NvmeGuest, HostCopyVersusNvmeCopyTimes) {
  const std::string small = env("OFFLOAD_NVME_COPY");
  const std::string big = env("OFFLOAD_NVME_BIG");
  ASSERT_FALSE(big.empty());
  const nvme::CopyLimits big_limits{.max_range_blocks = env_number("OFFLOAD_NVME_BIG_MSSRL"),
                                    .max_command_blocks = env_number("OFFLOAD_NVME_BIG_MCL"),
                                    .max_ranges = env_number("OFFLOAD_NVME_BIG_MSRC") + 1};
  ASSERT_GT(nvme::blocks_per_command(big_limits), 0U);
  for (std::uint64_t length : {1 * kMiB, 8 * kMiB, 32 * kMiB}) {
    std::size_t small_commands = 0, big_commands = 0;
    double host_s = median_copy_seconds(*this, big, length, MethodChoice::host, nullptr);
    double small_s = median_copy_seconds(*this, small, length, MethodChoice::nvme_copy, &small_commands);
    double big_s = median_copy_seconds(*this, big, length, MethodChoice::nvme_copy, &big_commands);
    EXPECT_EQ(small_commands, (length / 512 + nvme::blocks_per_command(limits) - 1) / nvme::blocks_per_command(limits));
    EXPECT_EQ(big_commands, (length / 512 + nvme::blocks_per_command(big_limits) - 1) / nvme::blocks_per_command(big_limits));
    auto rate = [&](double seconds) { return static_cast<double>(length) / kMiB / seconds; };
    std::printf("nvme-guest: timing %llu MiB (median of 3): host %.3f s (%.1f MiB/s); nvme-copy %.3f s (%.1f MiB/s) "
                "in %zu commands (at most %llu blocks each); nvme-copy %.3f s (%.1f MiB/s) in %zu commands (at most %llu blocks each)\n",
                static_cast<unsigned long long>(length / kMiB), host_s, rate(host_s), small_s, rate(small_s), small_commands,
                static_cast<unsigned long long>(nvme::blocks_per_command(limits)), big_s, rate(big_s), big_commands,
                static_cast<unsigned long long>(nvme::blocks_per_command(big_limits)));
    std::fflush(stdout);
  }
}

double median_copy_seconds(NvmeGuest& test, const std::string& ns, std::uint64_t length, MethodChoice method,
                           std::size_t* commands) {
  std::vector<double> seconds;
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(fill(ns, 0, length, 5 + run), "");
    EXPECT_EQ(fill(ns, 128 * kMiB, length, 0), "");
    test.log.copies.clear();
    double took = 0;
    auto status = test.copy({.source = ns, .destination = ns, .destination_offset = 128 * kMiB, .length = length,
                             .method = method}, &took);
    EXPECT_TRUE(status && status->state == CopyState::done);
    EXPECT_EQ(check(ns, 128 * kMiB, length, 5 + run), "");
    seconds.push_back(took);
  }
  if (commands != nullptr) *commands = test.log.copies.size();
  std::sort(seconds.begin(), seconds.end());
  return seconds[1];
}

}  // namespace
}  // namespace offload::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
