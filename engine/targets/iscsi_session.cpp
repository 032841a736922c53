#include "engine/targets/iscsi_session.hpp"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

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

// HOST:PORT or [V6]:PORT, port 1..65535 (3260 when left out, RFC 7143 section 13.1).
std::expected<std::string, std::string> parse_portal(std::string_view portal) {
  std::string_view host = portal, port;
  if (portal.starts_with('[')) {
    std::size_t close = portal.find(']');
    if (close == std::string_view::npos) return std::unexpected("'" + std::string(portal) + "': an IPv6 host needs its closing ]");
    host = portal.substr(0, close + 1);
    std::string_view after = portal.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::unexpected("'" + std::string(portal) + "': expected :PORT after the IPv6 host");
      port = after.substr(1);
      if (port.empty()) return std::unexpected("'" + std::string(portal) + "': empty port after ':'");
    }
    if (host.size() <= 2) return std::unexpected("'" + std::string(portal) + "': empty host");
  } else if (std::size_t colon = portal.rfind(':'); colon != std::string_view::npos) {
    host = portal.substr(0, colon);
    port = portal.substr(colon + 1);
    if (port.empty()) return std::unexpected("'" + std::string(portal) + "': empty port after ':'");
  }
  if (host.empty()) return std::unexpected("'" + std::string(portal) + "': empty host");
  if (port.empty()) return std::string(host) + ":3260";
  unsigned number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
    return std::unexpected("port '" + std::string(port) + "' is not a number from 1 to 65535");
  }
  return std::string(host) + ":" + std::to_string(number);
}

// One asynchronous phase (connect, login): libiscsi calls back with its status.
struct Phase {
  bool finished = false;
  int status = 0;
  std::string error;  ///< libiscsi's reason when it called back with a failure (later calls may overwrite it)
};

void phase_done(iscsi_context* context, int status, void*, void* private_data) {
  auto* phase = static_cast<Phase*>(private_data);
  phase->finished = true;
  phase->status = status;
  if (status != SCSI_STATUS_GOOD) phase->error = one_line(iscsi_get_error(context));
}

// libiscsi reports socket failures as text ("... Connection refused"): the errno behind it.
int errno_of(const std::string& why, int otherwise) {
  for (int e : {ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT, ECONNRESET, EADDRNOTAVAIL}) {
    if (why.find(std::strerror(e)) != std::string::npos) return e;
  }
  if (why.find("resolv") != std::string::npos || why.find("getaddrinfo") != std::string::npos) return EHOSTUNREACH;
  return otherwise;
}

// Drives libiscsi's event loop until `phase` finishes or `seconds` pass
// (a timerfd in the same poll: no clock is read); the error is errno and why.
std::expected<void, std::pair<int, std::string>> run_phase(iscsi_context* context, const Phase& phase, double seconds) {
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (timer < 0) return std::unexpected(std::pair{errno, std::string("timerfd_create: ") + std::strerror(errno)});
  itimerspec limit{};
  double whole = std::floor(std::max(seconds, 0.001));
  limit.it_value.tv_sec = static_cast<time_t>(whole);
  limit.it_value.tv_nsec = static_cast<long>((std::max(seconds, 0.001) - whole) * 1e9);
  timerfd_settime(timer, 0, &limit, nullptr);
  std::expected<void, std::pair<int, std::string>> result;
  while (!phase.finished) {
    pollfd fds[2] = {{iscsi_get_fd(context), static_cast<short>(iscsi_which_events(context)), 0}, {timer, POLLIN, 0}};
    // Wake at least once a second: libiscsi scans its PDU timeouts in iscsi_service().
    int ready = poll(fds, 2, 1000);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      result = std::unexpected(std::pair{errno, std::string("poll: ") + std::strerror(errno)});
      break;
    }
    if (fds[1].revents & POLLIN) {
      char text[64];
      std::snprintf(text, sizeof text, "no answer within %g s", seconds);
      result = std::unexpected(std::pair{ETIMEDOUT, std::string(text)});
      break;
    }
    if (iscsi_service(context, ready > 0 ? fds[0].revents : 0) < 0 && !phase.finished) {
      std::string why = one_line(iscsi_get_error(context));
      result = std::unexpected(std::pair{errno_of(why, ECONNRESET), why.empty() ? "the connection failed" : why});
      break;
    }
  }
  close(timer);
  return result;
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
  auto portal = parse_portal(rest.substr(0, slash));
  if (!portal) return std::unexpected(portal.error());
  IscsiAddress address;
  address.portal = *portal;
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

std::expected<std::unique_ptr<IscsiSession>, IscsiConnectError> IscsiSession::connect(const IscsiAddress& address,
                                                                                      const IscsiTimeouts& timeouts) {
  iscsi_context* context = iscsi_create_context(initiator_name().c_str());
  if (context == nullptr) return std::unexpected(IscsiConnectError{ENOMEM, "cannot create an iSCSI context"});
  iscsi_set_targetname(context, address.target.c_str());
  iscsi_set_session_type(context, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(context, ISCSI_HEADER_DIGEST_NONE_CRC32C);
  // A lost connection fails the command in flight (and says so) rather than
  // reconnecting behind the engine's back for ever.
  iscsi_set_noautoreconnect(context, 1);
  // Every PDU from here on, the login's included, carries the command timeout.
  iscsi_set_timeout(context, static_cast<int>(std::ceil(std::max(1.0, timeouts.command_s))));
  auto fail = [&](int errno_value, std::string message) {
    iscsi_destroy_context(context);
    return std::unexpected(IscsiConnectError{errno_value, std::move(message)});
  };

  Phase connecting;
  std::string where = "connect to " + address.portal;
  if (iscsi_connect_async(context, address.portal.c_str(), phase_done, &connecting) != 0) {
    std::string why = one_line(iscsi_get_error(context));
    return fail(errno_of(why, EIO), where + ": " + why);
  }
  if (auto ran = run_phase(context, connecting, timeouts.connect_s); !ran) {
    return fail(ran.error().first, where + ": " + ran.error().second);
  }
  if (connecting.status != SCSI_STATUS_GOOD) {
    std::string why = connecting.error.empty() ? one_line(iscsi_get_error(context)) : connecting.error;
    return fail(errno_of(why, EIO), where + ": " + why);
  }

  Phase login;
  where = "login to " + address.target + " at " + address.portal + " (LUN " + std::to_string(address.lun) + ")";
  if (iscsi_login_async(context, phase_done, &login) != 0) return fail(EIO, where + ": " + one_line(iscsi_get_error(context)));
  if (auto ran = run_phase(context, login, timeouts.login_s); !ran) {
    return fail(ran.error().first, where + ": " + ran.error().second);
  }
  if (login.status != SCSI_STATUS_GOOD) {
    std::string why = login.error.empty() ? one_line(iscsi_get_error(context)) : login.error;
    // RFC 7143 section 11.13.5: status class 2 is an initiator error (unknown target, not authorised).
    return fail(why.find("Target not found") != std::string::npos || why.find("not authorized") != std::string::npos
                    ? EACCES : EIO,
                where + ": " + (why.empty() ? "the target refused the login" : why));
  }
  // The LUN is not part of the login: ask it once, as an initiator's first
  // command does, so a LUN the target lacks is named here (SPC-4 6.37 TEST
  // UNIT READY; UNIT ATTENTION such as LIO's 0x3F0E on a new LUN is retried).
  for (int attempt = 0;; ++attempt) {
    scsi_task* task = iscsi_testunitready_sync(context, address.lun);
    if (task == nullptr) {
      std::string why = one_line(iscsi_get_error(context));
      return fail(errno_of(why, ETIMEDOUT), "TEST UNIT READY on LUN " + std::to_string(address.lun) + " at " +
                                                address.portal + ": " + why);
    }
    int status = task->status;
    auto key = task->sense.key;
    int ascq = task->sense.ascq;
    scsi_free_scsi_task(task);
    if (status == SCSI_STATUS_CHECK_CONDITION && key == SCSI_SENSE_UNIT_ATTENTION && attempt < 4) continue;
    if (status == SCSI_STATUS_CHECK_CONDITION && key == SCSI_SENSE_ILLEGAL_REQUEST && (ascq >> 8) == 0x25) {
      return fail(ENXIO, "LUN " + std::to_string(address.lun) + " is not on " + address.target + " at " + address.portal +
                             " (LOGICAL UNIT NOT SUPPORTED)");
    }
    break;  // ready, or not ready yet (a later command says why)
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
  } else if (task->status == SCSI_STATUS_TIMEOUT) {
    outcome.transport_errno = ETIMEDOUT;
    outcome.transport_error = "no answer within the command timeout (" + one_line(iscsi_get_error(context_)) + ")";
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
