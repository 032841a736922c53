// Helpers for the SCSI wire-format tests: every proper prefix of a valid
// encoding must be rejected with a message (truncation never reads past
// the buffer: the tests run under the sanitizers of the fuzz build too).
#pragma once

#include <gtest/gtest.h>

#include <span>
#include <string>

#include "engine/scsi/bytes.hpp"

namespace offload::scsi::test {

/// Decodes every prefix of `bytes` shorter than `bytes` with `decode`;
/// each must fail with a message naming a field.
template <class Decode>
void expect_every_prefix_rejected(const Bytes& bytes, Decode decode) {
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    auto decoded = decode(std::span<const std::uint8_t>(prefix));
    ASSERT_FALSE(decoded.has_value()) << "a " << length << "-byte prefix of " << bytes.size() << " bytes was accepted";
    EXPECT_FALSE(decoded.error().field.empty());
    EXPECT_FALSE(decoded.error().message.empty());
  }
}

/// The error text of a failed decode ("" when it succeeded).
template <class T>
std::string error_text(const Decoded<T>& decoded) {
  return decoded ? std::string() : decoded.error().describe();
}

}  // namespace offload::scsi::test
