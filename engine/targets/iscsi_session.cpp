#include "engine/targets/iscsi_session.hpp"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <unistd.h>

#include "engine/scsi/cdb.hpp"

namespace offload {
namespace {

// libiscsi's messages may end in a newline: one line, trimmed.
std::string one_line(std::string text) {
  for (char& c : text) if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string initiator_name() {
  char host[64] = "localhost";
  gethostname(host, sizeof host - 1);
  return "iqn.2026-01.org.offloadsim:initiator-" + std::string(host) + "-" + std::to_string(getpid());
}

}  // namespace

std::string IscsiAddress::url() const { return "iscsi://" + portal + "/" + target + "/" + std::to_string(lun); }

bool is_iscsi_url(std::string_view text) { return text.starts_with("iscsi://"); }

std::expected<IscsiAddress, std::string> parse_iscsi_url(std::string_view text) {
  if (!is_iscsi_url(text)) return std::unexpected("not an iscsi:// address");
  std::string_view rest = text.substr(8);
  if (rest.find('@') != std::string_view::npos) return std::unexpected("user names in iSCSI addresses are not supported");
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::unexpected("missing HOST:PORT (want iscsi://HOST:PORT/IQN/LUN)");
  IscsiAddress address;
  address.portal = std::string(rest.substr(0, slash));
  if (address.portal.find(':') == std::string::npos) address.portal += ":3260";
  rest = rest.substr(slash + 1);
  std::size_t last = rest.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::unexpected("missing IQN or LUN (want iscsi://HOST:PORT/IQN/LUN)");
  address.target = std::string(rest.substr(0, last));
  std::string_view lun = rest.substr(last + 1);
  auto [end, ec] = std::from_chars(lun.data(), lun.data() + lun.size(), address.lun);
  if (lun.empty() || ec != std::errc() || end != lun.data() + lun.size() || address.lun < 0 || address.lun > 16383) {
    return std::unexpected("LUN '" + std::string(lun) + "' is not a number from 0 to 16383");
  }
  return address;
}

std::expected<std::unique_ptr<IscsiSession>, std::string> IscsiSession::connect(const IscsiAddress& address) {
  iscsi_context* context = iscsi_create_context(initiator_name().c_str());
  if (context == nullptr) return std::unexpected("cannot create an iSCSI context");
  iscsi_set_targetname(context, address.target.c_str());
  iscsi_set_session_type(context, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(context, ISCSI_HEADER_DIGEST_NONE_CRC32C);
  if (iscsi_full_connect_sync(context, address.portal.c_str(), address.lun) != 0) {
    std::string why = one_line(iscsi_get_error(context));
    iscsi_destroy_context(context);
    return std::unexpected("cannot log in to " + address.target + " at " + address.portal + " (LUN " +
                           std::to_string(address.lun) + "): " + why);
  }
  return std::unique_ptr<IscsiSession>(new IscsiSession(context, address));
}

IscsiSession::~IscsiSession() {
  iscsi_logout_sync(context_);
  iscsi_destroy_context(context_);
}

// Turns a finished task into an outcome and frees it. On CHECK CONDITION
// libiscsi leaves the sense in datain after a 2-byte length.
ScsiOutcome IscsiSession::finish(scsi_task* task) {
  ScsiOutcome outcome;
  if (task == nullptr) {
    outcome.status = SCSI_STATUS_ERROR;
    outcome.transport_error = one_line(iscsi_get_error(context_));
    return outcome;
  }
  outcome.status = task->status;
  if (task->status == SCSI_STATUS_CHECK_CONDITION) {
    std::span<const std::uint8_t> raw(task->datain.data, task->datain.data ? static_cast<std::size_t>(task->datain.size) : 0);
    if (raw.size() >= 2) {
      std::size_t length = scsi::get_be16(raw, 0);
      if (length <= raw.size() - 2) {
        if (auto sense = scsi::decode_sense(raw.subspan(2, length))) outcome.sense = *sense;
      }
    }
    if (!outcome.sense) {  // fall back on libiscsi's parse
      scsi::Sense sense;
      sense.key = static_cast<scsi::SenseKey>(task->sense.key & 0x0F);
      sense.code = {static_cast<std::uint8_t>(task->sense.ascq >> 8), static_cast<std::uint8_t>(task->sense.ascq & 0xFF)};
      outcome.sense = sense;
    }
  } else if (task->status != SCSI_STATUS_GOOD && task->status >= SCSI_STATUS_CANCELLED) {
    outcome.transport_error = one_line(iscsi_get_error(context_));
  } else if (task->status == SCSI_STATUS_GOOD) {
    outcome.data_in_bytes = task->expxferlen > 0 && task->residual_status == SCSI_RESIDUAL_UNDERFLOW
                                ? static_cast<std::size_t>(task->expxferlen) - task->residual
                                : static_cast<std::size_t>(task->expxferlen);
  }
  scsi_free_scsi_task(task);
  return outcome;
}

ScsiOutcome IscsiSession::command(std::span<const std::uint8_t> cdb, std::span<const std::uint8_t> data_out,
                                  std::span<std::uint8_t> data_in) {
  std::lock_guard lock(mutex_);
  return retry_unit_attention([&] {
    int direction = !data_out.empty() ? SCSI_XFER_WRITE : (!data_in.empty() ? SCSI_XFER_READ : SCSI_XFER_NONE);
    int length = static_cast<int>(!data_out.empty() ? data_out.size() : data_in.size());
    scsi_task* task = scsi_create_task(static_cast<int>(cdb.size()), const_cast<unsigned char*>(cdb.data()), direction, length);
    if (task == nullptr) return ScsiOutcome{.status = SCSI_STATUS_ERROR, .transport_error = "out of memory for a SCSI task"};
    if (!data_in.empty()) scsi_task_add_data_in_buffer(task, static_cast<int>(data_in.size()), data_in.data());
    iscsi_data out{data_out.size(), const_cast<unsigned char*>(data_out.data())};
    return finish(iscsi_scsi_command_sync(context_, address_.lun, task, data_out.empty() ? nullptr : &out));
  });
}

ScsiOutcome IscsiSession::read(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                               std::span<std::byte> buffer) {
  std::lock_guard lock(mutex_);
  return retry_unit_attention([&] {
    scsi_iovec iov{buffer.data(), buffer.size()};
    return finish(iscsi_read16_iov_sync(context_, address_.lun, lba, blocks * block_bytes,
                                        static_cast<int>(block_bytes), 0, 0, 0, 0, 0, &iov, 1));
  });
}

ScsiOutcome IscsiSession::write(std::uint64_t lba, std::uint32_t blocks, std::uint32_t block_bytes,
                                std::span<const std::byte> buffer) {
  std::lock_guard lock(mutex_);
  return retry_unit_attention([&] {
    scsi_iovec iov{const_cast<std::byte*>(buffer.data()), buffer.size()};
    return finish(iscsi_write16_iov_sync(context_, address_.lun, lba, nullptr, blocks * block_bytes,
                                         static_cast<int>(block_bytes), 0, 0, 0, 0, 0, &iov, 1));
  });
}

std::expected<std::pair<std::uint64_t, std::uint32_t>, std::string> IscsiSession::capacity() {
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt <= kUnitAttentionRetries; ++attempt) {
    scsi_task* task = iscsi_readcapacity16_sync(context_, address_.lun);
    if (task == nullptr) return std::unexpected(std::string("READ CAPACITY(16) failed: ") + iscsi_get_error(context_));
    if (task->status == SCSI_STATUS_GOOD) {
      auto* rc = static_cast<scsi_readcapacity16*>(scsi_datain_unmarshall(task));
      if (rc == nullptr) {
        scsi_free_scsi_task(task);
        return std::unexpected("READ CAPACITY(16) data could not be parsed");
      }
      std::pair<std::uint64_t, std::uint32_t> result{rc->returned_lba + 1, rc->block_length};
      scsi_free_scsi_task(task);
      return result;
    }
    ScsiOutcome outcome = finish(task);
    if (!outcome.unit_attention()) return std::unexpected("READ CAPACITY(16): " + outcome.describe());
  }
  return std::unexpected("READ CAPACITY(16): UNIT ATTENTION did not clear");
}

}  // namespace offload
