// Byte-level helpers shared by the SCSI wire-format codecs (engine/scsi/):
// big-endian stores and loads at fixed offsets, the decode error type, and
// a bounds check that names the field a short buffer is missing. SCSI puts
// every multi-byte field most significant byte first (SPC-4 3.5.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace offload::scsi {

/// An owned byte string: a CDB, a parameter list, a response.
using Bytes = std::vector<std::uint8_t>;

/// Why a buffer could not be decoded: the format, the field and the cause.
struct DecodeError {
  std::string format;   ///< e.g. "RECEIVE COPY RESULTS operating parameters"
  std::string field;    ///< e.g. "AVAILABLE DATA (bytes 0-3)"
  std::string message;  ///< e.g. "says 44 bytes follow but only 20 do"
  /// "FORMAT: FIELD: MESSAGE" in one line.
  [[nodiscard]] std::string describe() const { return format + ": " + field + ": " + message; }
};

/// A decoded value or the reason it could not be decoded.
template <class T>
using Decoded = std::expected<T, DecodeError>;

/// Makes the unexpected value of a Decoded<T>.
inline std::unexpected<DecodeError> decode_error(std::string_view format, std::string_view field,
                                                 std::string message) {
  return std::unexpected(DecodeError{std::string(format), std::string(field), std::move(message)});
}

/// Stores `bytes` bytes of `value` big-endian at out[at..at+bytes) (bytes <= 8).
inline void put_be(std::span<std::uint8_t> out, std::size_t at, std::size_t bytes, std::uint64_t value) {
  for (std::size_t i = 0; i < bytes; ++i) {
    out[at + bytes - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

/// Loads `bytes` bytes big-endian from in[at..at+bytes); the caller checked the bounds.
inline std::uint64_t get_be(std::span<const std::uint8_t> in, std::size_t at, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | in[at + i];
  return value;
}

/// 16-bit big-endian load.
inline std::uint16_t get_be16(std::span<const std::uint8_t> in, std::size_t at) {
  return static_cast<std::uint16_t>(get_be(in, at, 2));
}
/// 32-bit big-endian load.
inline std::uint32_t get_be32(std::span<const std::uint8_t> in, std::size_t at) {
  return static_cast<std::uint32_t>(get_be(in, at, 4));
}
/// 64-bit big-endian load.
inline std::uint64_t get_be64(std::span<const std::uint8_t> in, std::size_t at) { return get_be(in, at, 8); }

/// Error unless `in` holds at least `bytes` bytes; names the field that is cut off.
inline std::expected<void, DecodeError> need_bytes(std::span<const std::uint8_t> in, std::size_t bytes,
                                                   std::string_view format, std::string_view field) {
  if (in.size() >= bytes) return {};
  return decode_error(format, field,
                      "truncated: needs " + std::to_string(bytes) + " bytes, buffer has " + std::to_string(in.size()));
}

/// Error unless a length field's claim fits the buffer: `claimed` bytes
/// following offset `after` must lie within `in`.
inline std::expected<void, DecodeError> need_claimed(std::span<const std::uint8_t> in, std::size_t after,
                                                     std::uint64_t claimed, std::string_view format,
                                                     std::string_view field) {
  if (after <= in.size() && claimed <= in.size() - after) return {};
  return decode_error(format, field,
                      "says " + std::to_string(claimed) + " bytes follow byte " + std::to_string(after) +
                          " but the buffer has " + std::to_string(in.size() > after ? in.size() - after : 0));
}

}  // namespace offload::scsi
