// An in-memory NVMe controller with one namespace behind the NvmeTransport
// interface, for driving the namespace target without a device: it decodes
// the commands the target sends with engine/nvme's decoders (Identify,
// Read, Write, Flush, Copy), moves real bytes, and answers Copy that breaks
// its MSSRL, MSRC or MCL with Command Size Limit Exceeded, as a controller
// must (NVM Command Set 1.0, 3.2.2). Failures to inject: a status for every
// Copy, and a pause before the Nth Copy (the test releases it) so a cancel
// lands between commands without racing.
#pragma once

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "engine/nvme/status.hpp"
#include "engine/targets/nvme_transport.hpp"

namespace offload::testing {

/// The controller and namespace state shared by all the addresses that reach it.
struct FakeNvmeDevice {
  nvme::ControllerIdentity controller{.serial = "fake-1", .model = "fake NVMe", .mdts = 2, .oncs = 1U << 8};
  nvme::NamespaceIdentity ns{.size_blocks = 4096, .block_shift = 9, .mssrl = 16, .mcl = 40, .msrc = 2};
  std::uint32_t nsid = 1;
  std::vector<std::uint8_t> media = std::vector<std::uint8_t>(4096 * 512);
  std::uint16_t copy_status = 0;        ///< Status Field every Copy gets (0 = copies)
  std::vector<nvme::Copy> copies;       ///< every Copy received, decoded
  std::uint64_t reads = 0, writes = 0, flushes = 0;  ///< I/O commands received
  std::uint64_t pause_before_copy = 0;  ///< 1-based Copy to hold until released (0 = none)

  std::mutex mutex;
  std::condition_variable changed;
  bool paused = false;    ///< the held Copy has arrived
  bool released = false;  ///< the test let it go on

  /// Blocks until the held Copy has arrived.
  void wait_paused() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return paused; });
  }
  /// Lets the held Copy go on.
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    changed.notify_all();
  }
};

/// One address of a FakeNvmeDevice.
class FakeNvmeTransport final : public NvmeTransport {
 public:
  FakeNvmeTransport(std::string address, FakeNvmeDevice& device) : address_(std::move(address)), device_(device) {}
  [[nodiscard]] std::string address() const override { return address_; }
  [[nodiscard]] std::uint32_t namespace_id() const override { return device_.nsid; }

  NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) override {
    if (command.opcode != nvme::kIdentifyOpcode) return status(0x4001);
    nvme::Bytes data = command.cdw[0] == 1 ? nvme::encode_identify_controller(device_.controller)
                                           : nvme::encode_identify_namespace(device_.ns);
    std::memcpy(data_in.data(), data.data(), std::min(data.size(), data_in.size()));
    return {};
  }

  NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                 std::span<std::uint8_t> data_in) override {
    if (command.nsid != device_.nsid) return status(0x400B);  // Invalid Namespace or Format
    const std::uint64_t bs = device_.ns.block_bytes();
    if (command.opcode == static_cast<std::uint8_t>(nvme::IoOpcode::copy)) return copy(command, data_out, bs);
    if (command.opcode == static_cast<std::uint8_t>(nvme::IoOpcode::flush)) {
      std::lock_guard lock(device_.mutex);
      ++device_.flushes;
      return {};
    }
    auto io = nvme::decode_read_write(command);
    if (!io) return status(0x4001);
    if (io->lba + io->blocks > device_.ns.size_blocks) return status(0x4080);  // LBA Out of Range
    std::lock_guard lock(device_.mutex);
    std::uint8_t* media = device_.media.data() + io->lba * bs;
    if (io->write) {
      ++device_.writes;
      if (data_out.size() != io->blocks * bs) return status(0x4002);
      std::memcpy(media, data_out.data(), data_out.size());
    } else {
      ++device_.reads;
      if (data_in.size() != io->blocks * bs) return status(0x4002);
      std::memcpy(data_in.data(), media, data_in.size());
    }
    return {};
  }

 private:
  static NvmeOutcome status(std::uint16_t field) { return NvmeOutcome{.status = field}; }

  NvmeOutcome copy(const nvme::Command& command, std::span<const std::uint8_t> ranges, std::uint64_t bs) {
    auto decoded = nvme::decode_copy(command, ranges);
    if (!decoded) return status(0x4002);  // Invalid Field in Command
    std::unique_lock lock(device_.mutex);
    device_.copies.push_back(*decoded);
    if (device_.pause_before_copy == device_.copies.size()) {
      device_.paused = true;
      device_.changed.notify_all();
      device_.changed.wait(lock, [&] { return device_.released; });
    }
    if (device_.copy_status != 0) return status(device_.copy_status);
    const nvme::NamespaceIdentity& ns = device_.ns;
    if (decoded->ranges.size() > ns.max_ranges() || decoded->blocks() > ns.mcl) return status(0x4183);
    std::vector<std::uint8_t> data;
    for (const nvme::SourceRange& range : decoded->ranges) {
      if (range.blocks > ns.mssrl) return status(0x4183);
      if (range.lba + range.blocks > ns.size_blocks) return status(0x4080);
      auto from = device_.media.begin() + static_cast<std::ptrdiff_t>(range.lba * bs);
      data.insert(data.end(), from, from + static_cast<std::ptrdiff_t>(range.blocks * bs));
    }
    if (decoded->destination_lba + decoded->blocks() > ns.size_blocks) return status(0x4080);
    std::memcpy(device_.media.data() + decoded->destination_lba * bs, data.data(), data.size());
    return {};
  }

  std::string address_;
  FakeNvmeDevice& device_;
};

}  // namespace offload::testing
