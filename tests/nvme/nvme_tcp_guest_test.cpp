// The engine on a real NVMe over TCP fabric: the Linux NVMe target (nvmet,
// nvmet-tcp) exports a RAM disk and the Linux NVMe/TCP host connects to it
// over a veth pair, both in the NVMe guest (tests/targets/guest/
// nvme-guest.sh run with OFFLOAD_NVME_TCP=1; built static: the guest has no
// libraries). nvmet implements no Copy (Linux 6.1 drivers/nvme/target/
// admin-cmd.c leaves ONCS bit 8 clear), so this is the negative peer and
// the fabric's host path:
//   - Identify Controller over the fabric has ONCS bit 8 clear;
//   - auto falls back from nvme-copy to host with the reason recorded and no
//     Copy sent; the copy reads back equal through the block node (O_DIRECT);
//   - a pinned nvme-copy is refused at submit;
//   - the generic node /dev/ngXnY of the fabric namespace does the same
//     through the transport the router picks for it (io_uring or ioctl).
// Run as `nvme_tcp_guest_test measure --rate R --sizes 1MiB,4MiB --repeat N
// [--node block|generic]` it times the host-mediated copy over the fabric
// instead, through the block node (ioctl) or the generic node (io_uring)
// (median of N, every copy read back and compared through the block node)
// and prints one "OFFLOAD-NVME-TCP {json}" line per size; the run script
// shapes the link (tc) between calls.
// Environment (nvme-init.sh): OFFLOAD_NVME_TCP, OFFLOAD_NVME_TCP_NG. Without
// it every test skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.hpp"
#include "engine/nvme/copy_plan.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/nvme_namespace.hpp"
#include "engine/targets/nvme_transport_choice.hpp"
#include "tests/targets/block_pattern.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// What one copy over the fabric came back with.
struct Outcome {
  std::expected<CopyStatus, CopyError> status;
  double seconds = 0;  // submit to the end of wait
};

// Submits through the namespace target `offload cp` uses (the router's
// transport choice for each address) and waits.
Outcome copy(const CopyRequest& request) {
  RealRuntime runtime(8);
  NvmeNamespaceFactory namespaces(open_nvme_transport);
  Engine engine(runtime, namespaces);
  auto start = std::chrono::steady_clock::now();
  auto cookie = engine.submit(request);
  if (!cookie) return {std::unexpected(cookie.error()), 0};
  CopyStatus status = *engine.wait(*cookie);
  return {status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

std::uint64_t bytes_by(const CopyStatus& s, Method m) { return s.bytes_by_method[static_cast<std::size_t>(m)]; }

class NvmeTcpGuest : public ::testing::Test {
 public:
  void SetUp() override {
    if (env("OFFLOAD_NVME_TCP").empty()) {
      GTEST_SKIP() << "OFFLOAD_NVME_TCP unset: runs inside the NVMe guest (OFFLOAD_NVME_TCP=1 nvme-guest.sh run)";
    }
  }
};

TEST_F(NvmeTcpGuest, IdentifyOverTheFabricHasNoCopy) {
  auto device = NvmeIoctlTransport::open(env("OFFLOAD_NVME_TCP"));
  ASSERT_TRUE(device) << device.error().describe();
  auto controller = identify_controller(**device);
  ASSERT_TRUE(controller) << controller.error();
  std::printf("nvme-tcp-guest: controller '%s' serial '%s' ONCS 0x%04x\n", controller->model.c_str(),
              controller->serial.c_str(), controller->oncs);
  EXPECT_EQ(controller->serial, "offload-nvme-tcp") << "not the nvmet subsystem nvme-init.sh made";
  EXPECT_FALSE(controller->copy_supported()) << "nvmet reports Copy: ONCS 0x" << std::hex << controller->oncs;
}

// Auto on `address`: every byte by host after a recorded nvme-copy fallback, read back equal.
void expect_recorded_fallback(const std::string& address, std::uint64_t destination, std::uint64_t seed) {
  const std::string block = env("OFFLOAD_NVME_TCP");
  ASSERT_EQ(fill(block, 0, 2 * kMiB, seed), "");
  Outcome done = copy({.source = address, .destination = address, .destination_offset = destination, .length = 2 * kMiB});
  ASSERT_TRUE(done.status) << done.status.error().describe();
  const CopyStatus& status = *done.status;
  ASSERT_EQ(status.state, CopyState::done) << (status.error ? status.error->describe() : "");
  std::printf("nvme-tcp-guest: %s 2 MiB by %s [%s] in %.3f s\n", address.c_str(), status.methods_used_text().c_str(),
              status.source_fs.c_str(), done.seconds);
  EXPECT_EQ(bytes_by(status, Method::host), 2 * kMiB);
  EXPECT_EQ(bytes_by(status, Method::nvme_copy), 0U);
  ASSERT_EQ(status.fallbacks.size(), 1U);
  const FallbackRecord& fallback = status.fallbacks[0];
  std::printf("nvme-tcp-guest:   fallback %s -> %s (%s): %s\n", std::string(method_name(fallback.from)).c_str(),
              std::string(method_name(fallback.to)).c_str(), errno_name(fallback.errno_value).c_str(), fallback.detail.c_str());
  EXPECT_EQ(fallback.from, Method::nvme_copy);
  EXPECT_EQ(fallback.to, Method::host);
  EXPECT_EQ(fallback.errno_value, EOPNOTSUPP);
  EXPECT_NE(fallback.detail.find("ONCS bit 8 is clear"), std::string::npos) << fallback.detail;
  EXPECT_EQ(check(block, destination, 2 * kMiB, seed), "");
}

TEST_F(NvmeTcpGuest, AutoFallsBackToHostRecordedAndReadsBackEqual) {
  expect_recorded_fallback(env("OFFLOAD_NVME_TCP"), 16 * kMiB, 21);
}

TEST_F(NvmeTcpGuest, GenericNodeFallsBackTheSameWay) {
  const std::string ng = env("OFFLOAD_NVME_TCP_NG");
  ASSERT_FALSE(ng.empty());
  expect_recorded_fallback(ng, 24 * kMiB, 22);
}

TEST_F(NvmeTcpGuest, PinnedNvmeCopyIsRefusedAtSubmit) {
  const std::string ns = env("OFFLOAD_NVME_TCP");
  Outcome pinned = copy({.source = ns, .destination = ns, .destination_offset = 32 * kMiB, .length = kMiB,
                         .method = MethodChoice::nvme_copy});
  ASSERT_FALSE(pinned.status);
  EXPECT_EQ(pinned.status.error().errno_value, EOPNOTSUPP);
  EXPECT_NE(pinned.status.error().message.find("ONCS bit 8 is clear"), std::string::npos) << pinned.status.error().describe();
}

// "1MiB" -> bytes; 0 for anything else.
std::uint64_t parse_size(const std::string& text) {
  char* end = nullptr;
  std::uint64_t n = std::strtoull(text.c_str(), &end, 10);
  std::string unit(end);
  if (unit == "KiB") return n << 10;
  if (unit == "MiB") return n << 20;
  return unit.empty() ? n : 0;
}

// measure --rate R --sizes A,B --repeat N [--node block|generic]: one
// OFFLOAD-NVME-TCP line per size; 1 when a copy fails or differs.
int measure(int argc, char** argv) {
  std::string rate = "unthrottled", sizes = "1MiB", node = "block", ns = env("OFFLOAD_NVME_TCP");
  int repeat = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rate") rate = argv[i + 1];
    else if (flag == "--sizes") sizes = argv[i + 1];
    else if (flag == "--repeat") repeat = std::atoi(argv[i + 1]);
    else if (flag == "--node") node = argv[i + 1];
    else { std::fprintf(stderr, "measure: unknown option %s\n", flag.c_str()); return 2; }
  }
  if (ns.empty() || repeat < 1) { std::fprintf(stderr, "measure: OFFLOAD_NVME_TCP unset or --repeat < 1\n"); return 2; }
  if (node != "block" && node != "generic") { std::fprintf(stderr, "measure: --node is block or generic\n"); return 2; }
  const std::string address = node == "block" ? ns : env("OFFLOAD_NVME_TCP_NG");
  for (std::size_t at = 0; at <= sizes.size();) {
    std::size_t comma = std::min(sizes.find(',', at), sizes.size());
    const std::uint64_t length = parse_size(sizes.substr(at, comma - at));
    at = comma + 1;
    if (length == 0 || length % 4096 != 0) { std::fprintf(stderr, "measure: bad size in --sizes %s\n", sizes.c_str()); return 2; }
    std::vector<double> seconds;
    nlohmann::json record{{"rate", rate}, {"size_bytes", length}, {"repeat", repeat}, {"node", node}, {"address", address}};
    for (int run = 0; run < repeat; ++run) {
      const std::uint64_t seed = 31 + run, destination = 2 * length + kMiB;
      if (std::string problem = fill(ns, 0, length, seed); !problem.empty()) { std::printf("measure: fill: %s\n", problem.c_str()); return 1; }
      Outcome done = copy({.source = address, .destination = address, .destination_offset = destination, .length = length});
      if (!done.status || done.status->state != CopyState::done || bytes_by(*done.status, Method::host) != length) {
        std::printf("measure: the copy of %llu bytes failed: %s\n", static_cast<unsigned long long>(length),
                    done.status ? (done.status->error ? done.status->error->describe().c_str() : "not all by host")
                                : done.status.error().describe().c_str());
        return 1;
      }
      if (std::string problem = check(ns, destination, length, seed); !problem.empty()) {
        std::printf("measure: read back after the copy: %s\n", problem.c_str());
        return 1;
      }
      seconds.push_back(done.seconds);
      record["method"] = done.status->methods_used_text();
      record["transport"] = done.status->source_fs;
      record["fallback"] = done.status->fallbacks.empty() ? "" : done.status->fallbacks[0].detail;
    }
    record["seconds"] = seconds;
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds.size() % 2 == 1 ? seconds[seconds.size() / 2]
                                                   : (seconds[seconds.size() / 2 - 1] + seconds[seconds.size() / 2]) / 2;
    record["median_s"] = median;
    record["median_MiB_per_s"] = static_cast<double>(length) / kMiB / median;
    std::printf("OFFLOAD-NVME-TCP %s\n", record.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace offload::testing

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "measure") return offload::testing::measure(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
