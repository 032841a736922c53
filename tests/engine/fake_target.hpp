// In-memory files and a fake target with injectable failures, for driving
// the engine core without storage: clone/copy_range errors, short counts,
// ENOSPC after a number of bytes, sparse sources. Bytes really move between
// the in-memory files, so tests verify content.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/target.hpp"

namespace offload::testing {

/// One in-memory file: bytes plus which ranges hold data (the rest are holes).
struct FakeFile {
  std::vector<std::byte> bytes;      ///< content; holes read as zeros
  std::vector<ByteRange> data;       ///< data extents; empty = all data
  std::vector<ByteRange> written;    ///< ranges written or cloned into it
};

/// Failures and limits the fake target applies.
struct FakeBehaviour {
  int clone_errno = 0;               ///< every clone fails with this (0 = works)
  std::optional<std::uint64_t> clone_einval_at;  ///< clone of a range holding this offset: EINVAL
  int copy_range_errno = 0;          ///< every copy_range fails with this
  std::uint64_t copy_range_max_bytes = 0;  ///< short counts above this (0 = no cap)
  std::optional<std::uint64_t> enospc_after_bytes;  ///< writes fail past this many bytes
  int* interrupts = nullptr;         ///< counts interrupt() calls when set
  bool grows_in_order = false;       ///< the destination starts empty and grows in order (like a named file)
};

/// A name -> file map shared by the factory and the test.
using FakeStore = std::map<std::string, std::shared_ptr<FakeFile>>;

class FakeTarget final : public CopyTarget {
 public:
  FakeTarget(FakeStore& store, std::string destination, std::shared_ptr<FakeFile> source,
             std::shared_ptr<FakeFile> target_file, FakeBehaviour behaviour, TargetInfo info)
      : store_(store), destination_(std::move(destination)), source_(std::move(source)),
        destination_file_(std::move(target_file)), behaviour_(behaviour), info_(std::move(info)),
        source_size_at_open_(source_->bytes.size()) {}

  const TargetInfo& info() const override { return info_; }

  OpResult map_data(ByteRange range) override {
    OpResult result;
    if (source_->data.empty()) {
      std::uint64_t end = std::min<std::uint64_t>(range.end(), source_->bytes.size());
      if (end > range.offset) result.extents.push_back({range.offset, end - range.offset});
      return result;
    }
    for (const ByteRange& extent : source_->data) {
      std::uint64_t begin = std::max(extent.offset, range.offset);
      std::uint64_t end = std::min(extent.end(), range.end());
      if (end > begin) result.extents.push_back({begin, end - begin});
    }
    return result;
  }

  OpResult read(const Op& op) override {
    std::uint64_t size = source_->bytes.size();
    if (op.source_offset >= size) return {.value = 0};
    std::uint64_t n = std::min<std::uint64_t>(op.length, size - op.source_offset);
    std::memcpy(op.buffer.data(), source_->bytes.data() + op.source_offset, n);
    return {.value = static_cast<std::int64_t>(n)};
  }

  OpResult write(const Op& op) override {
    if (auto room = room_for(op.length); room <= 0) return {.value = room};
    put(op.destination_offset, op.buffer.data(), op.length);
    return {.value = static_cast<std::int64_t>(op.length)};
  }

  OpResult clone(const Op& op) override {
    if (behaviour_.clone_errno != 0) return {.value = -behaviour_.clone_errno};
    if (behaviour_.clone_einval_at && *behaviour_.clone_einval_at >= op.source_offset &&
        *behaviour_.clone_einval_at < op.source_offset + op.length) {
      return {.value = -EINVAL};
    }
    if (op.source_offset + op.length > source_->bytes.size()) return {.value = -EINVAL};
    put(op.destination_offset, source_->bytes.data() + op.source_offset, op.length);
    return {.value = static_cast<std::int64_t>(op.length)};
  }

  OpResult copy_range(const Op& op) override {
    if (behaviour_.copy_range_errno != 0) return {.value = -behaviour_.copy_range_errno};
    std::uint64_t size = source_->bytes.size();
    if (op.source_offset >= size) return {.value = 0};
    std::uint64_t n = std::min<std::uint64_t>(op.length, size - op.source_offset);
    if (behaviour_.copy_range_max_bytes != 0) n = std::min(n, behaviour_.copy_range_max_bytes);
    if (auto room = room_for(n); room <= 0) return {.value = room};
    put(op.destination_offset, source_->bytes.data() + op.source_offset, n);
    return {.value = static_cast<std::int64_t>(n)};
  }

  OpResult zero_range(const Op& op) override {
    std::fill_n(destination_file_->bytes.begin() + static_cast<std::ptrdiff_t>(op.destination_offset),
                op.length, std::byte{0});
    return {.value = static_cast<std::int64_t>(op.length)};
  }

  OpResult finish() override {
    if (source_->bytes.size() != source_size_at_open_) {
      return {.value = -ENODATA, .detail = "source changed size during the copy"};
    }
    return {};
  }

  OpResult abort() override {
    store_.erase(destination_);
    return {};
  }

  void interrupt() override {
    if (behaviour_.interrupts != nullptr) ++*behaviour_.interrupts;
  }

 private:
  std::int64_t room_for(std::uint64_t length) {
    if (!behaviour_.enospc_after_bytes) return 1;
    if (bytes_written_ + length > *behaviour_.enospc_after_bytes) return -ENOSPC;
    return 1;
  }
  void put(std::uint64_t offset, const std::byte* from, std::uint64_t length) {
    auto& bytes = destination_file_->bytes;
    if (bytes.size() < offset + length) bytes.resize(offset + length);
    std::memcpy(bytes.data() + offset, from, length);
    destination_file_->written.push_back({offset, length});
    bytes_written_ += length;
  }

  FakeStore& store_;
  std::string destination_;
  std::shared_ptr<FakeFile> source_;
  std::shared_ptr<FakeFile> destination_file_;
  FakeBehaviour behaviour_;
  TargetInfo info_;
  std::uint64_t source_size_at_open_;
  std::uint64_t bytes_written_ = 0;
};

/// Opens fake endpoints: ENOENT for a missing source, EEXIST for a taken name.
class FakeFactory final : public TargetFactory {
 public:
  FakeFactory(FakeStore& store, FakeBehaviour behaviour = {}) : store_(store), behaviour_(behaviour) {}

  std::expected<std::unique_ptr<CopyTarget>, CopyError> open(const CopyRequest& request) override {
    auto source = store_.find(request.source);
    if (source == store_.end()) return std::unexpected(CopyError{ENOENT, request.source, "no such fake file"});
    if (store_.contains(request.destination) && !request.overwrite) {
      return std::unexpected(CopyError{EEXIST, request.destination, "destination exists"});
    }
    std::uint64_t size = source->second->bytes.size();
    std::uint64_t length = request.length.value_or(size - request.source_offset);
    auto destination = std::make_shared<FakeFile>();
    if (!behaviour_.grows_in_order) destination->bytes.resize(request.destination_offset + length);
    store_[request.destination] = destination;
    TargetInfo info;
    info.source_size = size;
    info.source_range = {request.source_offset, length};
    info.destination_offset = request.destination_offset;
    info.source_fs = info.destination_fs = "fake";
    info.destination_grows_in_order = behaviour_.grows_in_order;
    return std::make_unique<FakeTarget>(store_, request.destination, source->second, destination, behaviour_, info);
  }

 private:
  FakeStore& store_;
  FakeBehaviour behaviour_;
};

/// A file of `size` pseudo-random bytes (deterministic in `seed`).
inline std::shared_ptr<FakeFile> make_fake_file(std::uint64_t size, std::uint32_t seed = 1) {
  auto file = std::make_shared<FakeFile>();
  file->bytes.resize(size);
  std::uint32_t x = seed * 2654435761U + 1;
  for (auto& b : file->bytes) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    b = static_cast<std::byte>(x);
  }
  return file;
}

}  // namespace offload::testing
