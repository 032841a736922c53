#include "engine/targets/block_range.hpp"

#include <cerrno>
#include <string>

namespace offload {

std::expected<std::uint64_t, CopyError> resolve_block_range(const CopyRequest& request, const BlockDevice& source,
                                                            const BlockDevice& destination, bool same_device,
                                                            std::string_view kind) {
  const std::string device(kind);
  const std::uint32_t bs = source.block_bytes;
  if (destination.block_bytes != bs) {
    return std::unexpected(CopyError{EINVAL, request.destination, "block size " + std::to_string(destination.block_bytes) +
                                                                      " differs from the source's " + std::to_string(bs)});
  }
  const std::uint64_t size = source.bytes;
  if (request.source_offset > size) {
    return std::unexpected(CopyError{EINVAL, request.source, "source offset " + std::to_string(request.source_offset) +
                                                                 " is past the end of the " + device + " (" +
                                                                 std::to_string(size) + " bytes)"});
  }
  std::uint64_t length = request.length.value_or(size - request.source_offset);
  if (length > size - request.source_offset) {
    return std::unexpected(CopyError{EINVAL, request.source, "range of " + std::to_string(length) + " bytes at offset " +
                                                                 std::to_string(request.source_offset) + " ends past the end of the " +
                                                                 device + " (" + std::to_string(size) + " bytes)"});
  }
  for (std::uint64_t value : {request.source_offset, request.destination_offset, length}) {
    if (value % bs != 0) {
      return std::unexpected(CopyError{EINVAL, request.destination, "offsets and length must be whole " + std::to_string(bs) +
                                                                        "-byte blocks (" + std::to_string(value) + " is not)"});
    }
  }
  if (request.destination_offset > destination.bytes || length > destination.bytes - request.destination_offset) {
    return std::unexpected(CopyError{ENOSPC, request.destination, "range ends past the end of the destination " + device +
                                                                      " (" + std::to_string(destination.bytes) + " bytes)"});
  }
  if (same_device && ranges_overlap({request.source_offset, length}, {request.destination_offset, length})) {
    return std::unexpected(CopyError{EINVAL, request.destination, "source and destination are the same " + device +
                                                                      " and the ranges overlap"});
  }
  return length;
}

}  // namespace offload
