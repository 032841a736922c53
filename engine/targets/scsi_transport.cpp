#include "engine/targets/scsi_transport.hpp"

#include <algorithm>
#include <cerrno>

#include "engine/scsi/sense_errno.hpp"

namespace offload {

bool ScsiOutcome::unit_attention() const {
  return status == scsi::status::check_condition && sense && sense->key == scsi::SenseKey::unit_attention;
}

bool ScsiOutcome::invalid_operation_code() const {
  return status == scsi::status::check_condition && sense && sense->key == scsi::SenseKey::illegal_request &&
         sense->code == scsi::asc::invalid_operation_code;
}

std::string ScsiOutcome::describe() const {
  if (!transport_error.empty()) return "transport error: " + transport_error;
  if (status == scsi::status::check_condition) {
    return "CHECK CONDITION: " + (sense ? sense->describe() : std::string("no sense data"));
  }
  std::string_view name = scsi::status::name(status);
  return name.empty() ? "SCSI status " + std::to_string(status) : std::string(name);
}

int ScsiOutcome::to_errno() const {
  if (good()) return 0;
  if (!transport_error.empty()) return transport_errno != 0 ? transport_errno : ECONNRESET;
  if (status == scsi::status::check_condition && sense) return scsi::errno_for(*sense);
  return scsi::errno_for_status(status);
}

scsi::Bytes read_write16_cdb(bool write, std::uint64_t lba, std::uint32_t blocks) {
  scsi::Bytes cdb(16, 0);
  cdb[0] = write ? 0x8A : 0x88;
  scsi::put_be(cdb, 2, 8, lba);
  scsi::put_be(cdb, 10, 4, blocks);
  return cdb;
}

std::optional<ReadWrite16> decode_read_write16(std::span<const std::uint8_t> cdb) {
  if (cdb.size() != 16 || (cdb[0] != 0x88 && cdb[0] != 0x8A)) return std::nullopt;
  return ReadWrite16{.write = cdb[0] == 0x8A, .lba = scsi::get_be64(cdb, 2), .blocks = scsi::get_be32(cdb, 10)};
}

scsi::Bytes read_capacity16_cdb(std::uint32_t allocation_length) {
  scsi::Bytes cdb(16, 0);
  cdb[0] = 0x9E;
  cdb[1] = 0x10;
  scsi::put_be(cdb, 10, 4, allocation_length);
  return cdb;
}

std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> decode_read_capacity16(std::span<const std::uint8_t> data) {
  if (data.size() < 12) {
    return std::unexpected("READ CAPACITY(16) data: " + std::to_string(data.size()) + " bytes, need 12 (RETURNED LOGICAL BLOCK ADDRESS, LOGICAL BLOCK LENGTH)");
  }
  std::uint64_t last = scsi::get_be64(data, 0);
  if (last == UINT64_MAX) return std::unexpected("READ CAPACITY(16) data: RETURNED LOGICAL BLOCK ADDRESS is 2^64 - 1");
  return std::pair<std::uint64_t, std::uint32_t>{last + 1, scsi::get_be32(data, 8)};
}

ScsiOutcome ScsiTransport::read(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                                std::span<std::byte> buffer) {
  // An empty buffer (a transport that carries no data) stays empty: the CDB says how much.
  std::span<std::uint8_t> in(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.empty() ? 0 : std::size_t{blocks} * block_bytes);
  return command(read_write16_cdb(false, lba, blocks), {}, in);
}

ScsiOutcome ScsiTransport::write(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                                 std::span<const std::byte> buffer) {
  std::span<const std::uint8_t> out(reinterpret_cast<const std::uint8_t*>(buffer.data()),
                                    buffer.empty() ? 0 : std::size_t{blocks} * block_bytes);
  return command(read_write16_cdb(true, lba, blocks), out, {});
}

std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> ScsiTransport::capacity() {
  scsi::Bytes data(32, 0);
  ScsiOutcome outcome = command(read_capacity16_cdb(32), {}, data);
  if (!outcome.good()) return std::unexpected("READ CAPACITY(16): " + outcome.describe());
  data.resize(std::min<std::size_t>(outcome.data_in_bytes, data.size()));
  return decode_read_capacity16(data);
}

}  // namespace offload
