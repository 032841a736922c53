// libFuzzer target: the NVMe decoders of engine/nvme/ and the Copy planner.
// The first input byte picks one (modulo 5), the rest is its input:
//  0 decode_status: the field comes back through encode_status, and
//    describe() names it;
//  1 decode_identify_controller, 2 decode_identify_namespace: a failure
//    names format, field and cause; a success survives its encoder;
//  3 decode_copy (28 bytes of opcode, NSID and CDW10-15, then the Source
//    Range Entries): the same promises;
//  4 plan_copy with limits and a length (up to 8191 blocks) from the input:
//    every command keeps MSSRL, MSRC + 1 and MCL, the ranges cover the
//    source in order, and the command count is the closed form.
// Never reading outside a buffer is ASan's part (the fuzz build).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "engine/nvme/command.hpp"
#include "engine/nvme/copy_plan.hpp"
#include "engine/nvme/identify.hpp"
#include "engine/nvme/status.hpp"

namespace {

using namespace offload::nvme;
using Span = std::span<const std::uint8_t>;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer reports the input that broke the invariant
}

template <class T>
void require_named(const Decoded<T>& decoded) {
  if (decoded) return;
  const auto& e = decoded.error();
  require(!e.format.empty() && !e.field.empty() && !e.message.empty());
}

template <class T>
T load(Span in, std::size_t at) {
  T value{};
  if (at + sizeof value <= in.size()) std::memcpy(&value, in.data() + at, sizeof value);
  return value;
}

void fuzz_status(Span in) {
  auto field = static_cast<std::uint16_t>(load<std::uint16_t>(in, 0) & 0x7FFF);
  Status status = decode_status(field);
  require(encode_status(status) == field);
  require(!describe(status).empty());
  require((errno_for(status) == 0) == is_success(status));
}

void fuzz_controller(Span in) {
  auto decoded = decode_identify_controller(in);
  require_named(decoded);
  if (decoded) require(*decode_identify_controller(encode_identify_controller(*decoded)) == *decoded);
}

void fuzz_namespace(Span in) {
  auto decoded = decode_identify_namespace(in);
  require_named(decoded);
  if (!decoded) return;
  require(decoded->block_bytes() >= 512 && decoded->format_index <= decoded->format_count);
  require(*decode_identify_namespace(encode_identify_namespace(*decoded)) == *decoded);
}

void fuzz_copy(Span in) {
  Command command{.opcode = load<std::uint8_t>(in, 0), .nsid = load<std::uint32_t>(in, 4)};
  for (std::size_t i = 0; i < command.cdw.size(); ++i) command.cdw[i] = load<std::uint32_t>(in, 8 + 4 * i);
  Span ranges = in.size() > 32 ? in.subspan(32) : Span{};
  auto decoded = decode_copy(command, ranges);
  require_named(decoded);
  if (!decoded) return;
  require(!decoded->ranges.empty() && decoded->ranges.size() <= 256);
  EncodedCopy encoded = encode_copy(*decoded);
  require(*decode_copy(encoded.command, encoded.ranges) == *decoded);
}

void fuzz_plan(Span in) {
  const CopyLimits limits{.max_range_blocks = load<std::uint16_t>(in, 0),
                          .max_command_blocks = load<std::uint32_t>(in, 2),
                          .max_ranges = std::uint32_t{load<std::uint8_t>(in, 6)} + 1};
  const std::uint64_t blocks = load<std::uint16_t>(in, 7) & 0x1FFF;  // up to 8191: every branch, short runs
  const std::uint64_t source = load<std::uint64_t>(in, 10) >> 2;  // room for the length: no wrap-around
  auto plan = plan_copy(1, source, source + blocks, blocks, limits);
  const std::uint64_t per_command = blocks_per_command(limits);
  if (per_command == 0) {
    require(plan.empty());
    return;
  }
  require(plan.size() == (blocks + per_command - 1) / per_command);
  std::uint64_t next = source;
  for (const Copy& copy : plan) {
    require(copy.destination_lba == next + blocks);
    require(!copy.ranges.empty() && copy.ranges.size() <= limits.max_ranges && copy.blocks() <= limits.max_command_blocks);
    for (const SourceRange& range : copy.ranges) {
      require(range.lba == next && range.blocks >= 1 && range.blocks <= limits.max_range_blocks);
      next += range.blocks;
    }
  }
  require(next == source + blocks);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Span in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: fuzz_status(in); break;
    case 1: fuzz_controller(in); break;
    case 2: fuzz_namespace(in); break;
    case 3: fuzz_copy(in); break;
    default: fuzz_plan(in); break;
  }
  return 0;
}
