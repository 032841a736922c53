// Byte-level helpers shared by the SCSI wire-format codecs (engine/scsi/):
// big-endian stores and loads at fixed offsets, the decode error type, and
// a bounds check that names the field a short buffer is missing. SCSI puts
// every multi-byte field most significant byte first (SPC-4 3.5.2).
// Decoded<T> is a small std::variant-based result rather than std::expected:
// clang 14 (the libFuzzer toolchain here) cannot instantiate libstdc++ 12's
// std::expected, and the fuzz targets build this module with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>
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

/// A failure on its way into any Decoded<T> (what `return decode_error(...)` yields).
struct DecodeFailure {
  DecodeError error;  ///< why
};

/// A decoded value or the reason it could not be decoded (the subset of
/// std::expected's interface the codecs and their callers use).
template <class T>
class Decoded {
 public:
  /// Success with a default value (for checks that carry no value).
  Decoded() : state_(std::in_place_index<0>) {}
  /// Success.
  Decoded(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit like std::expected
  /// Failure.
  Decoded(DecodeFailure failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}  // NOLINT
  /// True on success.
  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  /// True on success.
  explicit operator bool() const { return has_value(); }
  /// The value (success only).
  T& operator*() { return std::get<0>(state_); }
  /// The value (success only).
  const T& operator*() const { return std::get<0>(state_); }
  /// Member access to the value (success only).
  T* operator->() { return &std::get<0>(state_); }
  /// Member access to the value (success only).
  const T* operator->() const { return &std::get<0>(state_); }
  /// The reason (failure only).
  [[nodiscard]] const DecodeError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, DecodeError> state_;
};

/// A bounds or consistency check: success carries nothing.
struct Checked {};
/// Result of a check.
using Check = Decoded<Checked>;

/// Makes the failure of a Decoded<T>.
inline DecodeFailure decode_error(std::string_view format, std::string_view field, std::string message) {
  return DecodeFailure{DecodeError{std::string(format), std::string(field), std::move(message)}};
}

/// Passes a failure on unchanged.
inline DecodeFailure pass_on(const DecodeError& error) { return DecodeFailure{error}; }

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
inline Check need_bytes(std::span<const std::uint8_t> in, std::size_t bytes,
                                                   std::string_view format, std::string_view field) {
  if (in.size() >= bytes) return {};
  return decode_error(format, field,
                      "truncated: needs " + std::to_string(bytes) + " bytes, buffer has " + std::to_string(in.size()));
}

/// Error unless a length field's claim fits the buffer: `claimed` bytes
/// following offset `after` must lie within `in`.
inline Check need_claimed(std::span<const std::uint8_t> in, std::size_t after,
                                                     std::uint64_t claimed, std::string_view format,
                                                     std::string_view field) {
  if (after <= in.size() && claimed <= in.size() - after) return {};
  return decode_error(format, field,
                      "says " + std::to_string(claimed) + " bytes follow byte " + std::to_string(after) +
                          " but the buffer has " + std::to_string(in.size() > after ? in.size() - after : 0));
}

}  // namespace offload::scsi
