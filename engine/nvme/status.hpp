// NVMe completion status (NVMe Base Specification 2.0, 4.6.1 "Status
// Field Definition"): the 15-bit Status Field of a completion queue entry
// as Linux passthrough returns it (the ioctl's positive return value, the
// Phase Tag already dropped): bits 7:0 Status Code (SC), 10:8 Status Code
// Type (SCT), 12:11 Command Retry Delay, 13 More, 14 Do Not Retry. The
// code values are libnvme's (<nvme/types.h>, enum nvme_status_field).
#pragma once

#include <cstdint>
#include <string>

namespace offload::nvme {

/// A decoded Status Field.
struct Status {
  std::uint8_t code = 0;        ///< SC, bits 7:0
  std::uint8_t code_type = 0;   ///< SCT, bits 10:8 (0 generic, 1 command specific, 2 media, 3 path)
  std::uint8_t retry_delay = 0; ///< CRD, bits 12:11
  bool more = false;            ///< M, bit 13: more in the Error Information log
  bool do_not_retry = false;    ///< DNR, bit 14
  friend bool operator==(const Status&, const Status&) = default;
};

/// Splits a Status Field (bits above 14 are ignored).
Status decode_status(std::uint16_t field);
/// The Status Field of `status` (inverse of decode_status on bits 14:0).
std::uint16_t encode_status(const Status& status);

/// True for Successful Completion (SCT 0, SC 0).
inline bool is_success(const Status& status) { return status.code_type == 0 && status.code == 0; }
/// True for Generic / Invalid Command Opcode (the controller has no such command).
bool is_invalid_opcode(const Status& status);

/// One line naming the status: "Invalid Command Opcode (generic status 0x01, DNR)";
/// unknown codes are shown by type and value.
std::string describe(const Status& status);

/// errno for a failed command, following Linux's nvme_error_status()
/// (drivers/nvme/host/core.c) for the codes it names: Invalid Command
/// Opcode -> EOPNOTSUPP; Invalid Field, Invalid Namespace or Format, LBA Out
/// of Range and Command Size Limit Exceeded -> EINVAL (the request, not the
/// device, was wrong); Capacity Exceeded -> ENOSPC; Namespace Not Ready ->
/// EAGAIN; Reservation Conflict -> EBADE; Access Denied and Attempted Write
/// to Read Only Range -> EROFS; media and data integrity errors -> EIO; path
/// errors -> ENOLINK; anything else -> EIO. 0 on success.
int errno_for(const Status& status);

}  // namespace offload::nvme
