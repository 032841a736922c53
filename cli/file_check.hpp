// Test-data helpers shared by `offload compare`, the tests and benchmarks:
// a reproducible pseudo-random file and a byte-for-byte comparison.
#pragma once

#include <cstdint>
#include <expected>
#include <string>

namespace offload::cli {

/// Writes `size_bytes` of pseudo-random bytes from `seed` to a new `path`
/// (replacing it), flushed to the page cache.
std::expected<void, std::string> write_pattern_file(const std::string& path, std::uint64_t size_bytes,
                                                    std::uint64_t seed);

/// Compares the first `size_bytes` of two files; the error names the first
/// differing offset or the I/O problem.
std::expected<void, std::string> files_equal(const std::string& a, const std::string& b, std::uint64_t size_bytes);

/// Compares `size_bytes` at `a_offset` of `a` with those at `b_offset` of
/// `b` (both may be one device node); the error names the first differing
/// offset within the range or the I/O problem.
std::expected<void, std::string> ranges_equal(const std::string& a, std::uint64_t a_offset, const std::string& b,
                                              std::uint64_t b_offset, std::uint64_t size_bytes);

/// True when some extent of `path` is shared with another file (FIEMAP
/// FIEMAP_EXTENT_SHARED): a reflink, or a copy_file_range that remapped.
std::expected<bool, std::string> shares_extents(const std::string& path);

}  // namespace offload::cli
