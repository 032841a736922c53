// iscsi_lun_tool: writes and checks data on LUNs through the engine's own
// transports (libiscsi for iscsi:// URLs, SG_IO for /dev/sgN and /dev/sdX),
// so tests can set up a source range and verify a copy by reading both
// LUNs back.
//   iscsi_lun_tool fill URL OFFSET LENGTH SEED     write a pseudo-random pattern
//   iscsi_lun_tool check URL OFFSET LENGTH SEED    exit 0 if the range holds that pattern
//   iscsi_lun_tool compare URL1 OFF1 URL2 OFF2 LENGTH   exit 0 if the two ranges are equal
//   iscsi_lun_tool info URL                        what discovery found
//   iscsi_lun_tool raw-xcopy SRC DST SRC_OFF DST_OFF LENGTH   one EXTENDED COPY with
//       no safety check (to show what the engine's equal-designator refusal prevents)
// Exit 1 on a mismatch (with the first differing byte), 2 on errors.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/scsi/cdb.hpp"
#include "engine/scsi/vpd_device_identification.hpp"
#include "engine/scsi/xcopy_lid1.hpp"
#include "engine/targets/address_router.hpp"
#include "engine/targets/scsi_lun_profile.hpp"

namespace {

using offload::ScsiTransport;

constexpr std::uint64_t kChunk = 4ULL << 20;

std::uint64_t pattern_word(std::uint64_t seed, std::uint64_t word) {  // splitmix64
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + word + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void make_pattern(std::vector<std::byte>& buffer, std::uint64_t seed, std::uint64_t relative) {
  for (std::size_t i = 0; i < buffer.size(); i += 8) {
    std::uint64_t w = pattern_word(seed, (relative + i) / 8);
    std::memcpy(buffer.data() + i, &w, std::min<std::size_t>(8, buffer.size() - i));
  }
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "iscsi_lun_tool: %s\n", message.c_str());
  std::exit(2);
}

std::unique_ptr<ScsiTransport> open(const char* url) {
  auto session = offload::open_lun_transport(url);
  if (!session) die(session.error().describe());
  return std::move(*session);
}

std::uint32_t block_size(ScsiTransport& session) {
  auto capacity = session.capacity();
  if (!capacity) die(capacity.error());
  return capacity->second;
}

void io(ScsiTransport& s, bool write, std::uint64_t offset, std::vector<std::byte>& buffer, std::uint32_t bs) {
  std::uint64_t step = s.max_transfer_bytes() != 0 ? std::max<std::uint64_t>(bs, s.max_transfer_bytes() / bs * bs) : buffer.size();
  for (std::uint64_t done = 0; done < buffer.size(); done += step) {
    std::span<std::byte> piece = std::span(buffer).subspan(done, std::min<std::uint64_t>(step, buffer.size() - done));
    auto blocks = static_cast<std::uint32_t>(piece.size() / bs);
    std::uint64_t lba = (offset + done) / bs;
    auto outcome = write ? s.write(lba, blocks, bs, piece) : s.read(lba, blocks, bs, piece);
    if (!outcome.good()) {
      die(std::string(write ? "WRITE" : "READ") + " at " + std::to_string(offset + done) + ": " + outcome.describe());
    }
  }
}

std::uint64_t number(const char* text) { return std::strtoull(text, nullptr, 0); }

int fill_or_check(bool fill, const char* url, std::uint64_t offset, std::uint64_t length, std::uint64_t seed) {
  auto s = open(url);
  std::uint32_t bs = block_size(*s);
  if (offset % bs || length % bs) die("offset and length must be whole blocks of " + std::to_string(bs));
  std::vector<std::byte> want, got;
  for (std::uint64_t done = 0; done < length; done += want.size()) {
    want.resize(std::min(kChunk, length - done));
    make_pattern(want, seed, done);
    if (fill) {
      io(*s, true, offset + done, want, bs);
      continue;
    }
    got.resize(want.size());
    io(*s, false, offset + done, got, bs);
    if (std::memcmp(got.data(), want.data(), want.size()) != 0) {
      std::size_t i = 0;
      while (got[i] == want[i]) ++i;
      std::printf("mismatch at byte %llu of the range\n", static_cast<unsigned long long>(done + i));
      return 1;
    }
  }
  std::printf("%s %llu bytes\n", fill ? "wrote" : "verified", static_cast<unsigned long long>(length));
  return 0;
}

int compare(const char* url1, std::uint64_t off1, const char* url2, std::uint64_t off2, std::uint64_t length) {
  auto a = open(url1);
  auto b = open(url2);
  std::uint32_t bs = block_size(*a);
  std::vector<std::byte> x, y;
  for (std::uint64_t done = 0; done < length; done += x.size()) {
    x.resize(std::min(kChunk, length - done));
    y.resize(x.size());
    io(*a, false, off1 + done, x, bs);
    io(*b, false, off2 + done, y, bs);
    if (std::memcmp(x.data(), y.data(), x.size()) != 0) {
      std::size_t i = 0;
      while (x[i] == y[i]) ++i;
      std::printf("differ at byte %llu of the range\n", static_cast<unsigned long long>(done + i));
      return 1;
    }
  }
  std::printf("equal %llu bytes\n", static_cast<unsigned long long>(length));
  return 0;
}

int info(const char* url) {
  auto s = open(url);
  auto profile = offload::discover_lun(*s);
  if (!profile) die(profile.error());
  std::printf("blocks %llu\nblock_bytes %u\nvendor %s\nproduct %s\n3pc %d\nserial %s\n",
              static_cast<unsigned long long>(profile->blocks), profile->block_bytes, profile->inquiry.vendor.c_str(),
              profile->inquiry.product.c_str(), profile->inquiry.third_party_copy ? 1 : 0, profile->serial.c_str());
  const offload::scsi::Designator* id = profile->identification ? profile->identification->best_for_copy() : nullptr;
  std::printf("designator %s\n", id ? offload::scsi::designator_hex(*id).c_str() : "-");
  std::printf("copy_parameters %s\n", profile->copy_parameters_answer.c_str());
  if (profile->copy_parameters) {
    const auto& p = *profile->copy_parameters;
    std::printf("max_cscd %u\nmax_segments %u\nmax_list %u\nmax_segment_length %u\n", p.max_cscd_descriptors,
                p.max_segment_descriptors, p.max_descriptor_list_length, p.max_segment_length);
  }
  std::string why = profile->xcopy_unsupported_reason();
  std::printf("xcopy %s\n", why.empty() ? "yes" : ("no: " + why).c_str());
  std::printf("xcopy_max_bytes %llu\n", static_cast<unsigned long long>(profile->xcopy_max_bytes(2)));
  return 0;
}

int raw_xcopy(const char* src, const char* dst, std::uint64_t src_off, std::uint64_t dst_off, std::uint64_t length) {
  auto a = open(src);
  auto b = open(dst);
  auto pa = offload::discover_lun(*a);
  auto pb = offload::discover_lun(*b);
  if (!pa || !pb) die("discovery failed");
  const offload::scsi::Designator* ia = pa->identification ? pa->identification->best_for_copy() : nullptr;
  const offload::scsi::Designator* ib = pb->identification ? pb->identification->best_for_copy() : nullptr;
  if (!ia || !ib) die("no designator");
  std::uint32_t bs = pa->block_bytes;
  offload::scsi::ExtendedCopyList list;
  list.list_id_usage = 3;
  list.targets = {offload::scsi::identification_descriptor(*ia, bs), offload::scsi::identification_descriptor(*ib, bs)};
  list.segments = {{.source_index = 0, .destination_index = 1, .blocks = static_cast<std::uint16_t>(length / bs),
                    .source_lba = src_off / bs, .destination_lba = dst_off / bs}};
  auto parameters = offload::scsi::encode_extended_copy(list);
  auto outcome = a->command(offload::scsi::extended_copy_lid1_cdb(static_cast<std::uint32_t>(parameters.size())), parameters, {});
  std::printf("EXTENDED COPY: %s\n", outcome.describe().c_str());
  return outcome.good() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if ((command == "fill" || command == "check") && argc == 6) {
    return fill_or_check(command == "fill", argv[2], number(argv[3]), number(argv[4]), number(argv[5]));
  }
  if (command == "compare" && argc == 7) return compare(argv[2], number(argv[3]), argv[4], number(argv[5]), number(argv[6]));
  if (command == "info" && argc == 3) return info(argv[2]);
  if (command == "raw-xcopy" && argc == 7) return raw_xcopy(argv[2], argv[3], number(argv[4]), number(argv[5]), number(argv[6]));
  std::fprintf(stderr, "usage: iscsi_lun_tool fill|check URL OFFSET LENGTH SEED | compare URL1 OFF1 URL2 OFF2 LENGTH | info URL | raw-xcopy SRC DST SRC_OFF DST_OFF LENGTH\n");
  return 2;
}
