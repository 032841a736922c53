#include "engine/nvme/status.hpp"

#include <nvme/types.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

namespace offload::nvme {
namespace {

// Names of the generic (SCT 0) codes the copy paths meet (NVMe Base 2.0, Figure 102).
std::string_view generic_name(std::uint8_t code) {
  switch (code) {
    case NVME_SC_SUCCESS: return "Successful Completion";
    case NVME_SC_INVALID_OPCODE: return "Invalid Command Opcode";
    case NVME_SC_INVALID_FIELD: return "Invalid Field in Command";
    case NVME_SC_CMDID_CONFLICT: return "Command ID Conflict";
    case NVME_SC_DATA_XFER_ERROR: return "Data Transfer Error";
    case NVME_SC_POWER_LOSS: return "Commands Aborted due to Power Loss Notification";
    case NVME_SC_INTERNAL: return "Internal Error";
    case NVME_SC_ABORT_REQ: return "Command Abort Requested";
    case NVME_SC_ABORT_QUEUE: return "Command Aborted due to SQ Deletion";
    case NVME_SC_INVALID_NS: return "Invalid Namespace or Format";
    case NVME_SC_CMD_SEQ_ERROR: return "Command Sequence Error";
    case NVME_SC_NS_WRITE_PROTECTED: return "Namespace is Write Protected";
    case NVME_SC_CMD_INTERRUPTED: return "Command Interrupted";
    case NVME_SC_TRAN_TPORT_ERROR: return "Transient Transport Error";
    case NVME_SC_LBA_RANGE: return "LBA Out of Range";
    case NVME_SC_CAP_EXCEEDED: return "Capacity Exceeded";
    case NVME_SC_NS_NOT_READY: return "Namespace Not Ready";
    case NVME_SC_RESERVATION_CONFLICT: return "Reservation Conflict";
    case NVME_SC_FORMAT_IN_PROGRESS: return "Format In Progress";
    default: return "";
  }
}

// Command specific (SCT 1) codes of the NVM Command Set's I/O commands (NVM Command Set 1.0, Figure 15).
std::string_view command_specific_name(std::uint8_t code) {
  switch (code) {
    case NVME_SC_BAD_ATTRIBUTES: return "Conflicting Attributes";
    case NVME_SC_INVALID_PI: return "Invalid Protection Information";
    case NVME_SC_READ_ONLY: return "Attempted Write to Read Only Range";
    case NVME_SC_CMD_SIZE_LIMIT_EXCEEDED: return "Command Size Limit Exceeded";
    default: return "";
  }
}

// Media and data integrity errors (SCT 2, NVM Command Set 1.0, Figure 16).
std::string_view media_name(std::uint8_t code) {
  switch (code) {
    case NVME_SC_WRITE_FAULT: return "Write Fault";
    case NVME_SC_READ_ERROR: return "Unrecovered Read Error";
    case NVME_SC_GUARD_CHECK: return "End-to-end Guard Check Error";
    case NVME_SC_APPTAG_CHECK: return "End-to-end Application Tag Check Error";
    case NVME_SC_REFTAG_CHECK: return "End-to-end Reference Tag Check Error";
    case NVME_SC_COMPARE_FAILED: return "Compare Failure";
    case NVME_SC_ACCESS_DENIED: return "Access Denied";
    case NVME_SC_UNWRITTEN_BLOCK: return "Deallocated or Unwritten Logical Block";
    default: return "";
  }
}

// Path related status (SCT 3, NVMe Base 2.0, Figure 104).
std::string_view path_name(std::uint8_t code) {
  switch (code) {
    case NVME_SC_ANA_INTERNAL_PATH_ERROR: return "Internal Path Error";
    case NVME_SC_ANA_PERSISTENT_LOSS: return "Asymmetric Access Persistent Loss";
    case NVME_SC_ANA_INACCESSIBLE: return "Asymmetric Access Inaccessible";
    case NVME_SC_ANA_TRANSITION: return "Asymmetric Access Transition";
    case NVME_SC_CTRL_PATH_ERROR: return "Controller Pathing Error";
    case NVME_SC_HOST_PATH_ERROR: return "Host Pathing Error";
    default: return "";
  }
}

std::string_view type_name(std::uint8_t code_type) {
  switch (code_type) {
    case NVME_SCT_GENERIC: return "generic";
    case NVME_SCT_CMD_SPECIFIC: return "command specific";
    case NVME_SCT_MEDIA: return "media error";
    case NVME_SCT_PATH: return "path";
    case NVME_SCT_VS: return "vendor specific";
    default: return "reserved type";
  }
}

}  // namespace

Status decode_status(std::uint16_t field) {
  return Status{.code = static_cast<std::uint8_t>(field & NVME_SC_MASK),
                .code_type = static_cast<std::uint8_t>((field >> NVME_SCT_SHIFT) & NVME_SCT_MASK),
                .retry_delay = static_cast<std::uint8_t>((field & NVME_SC_CRD) >> 11),
                .more = (field & NVME_SC_MORE) != 0,
                .do_not_retry = (field & NVME_SC_DNR) != 0};
}

std::uint16_t encode_status(const Status& status) {
  return static_cast<std::uint16_t>(status.code | (status.code_type & NVME_SCT_MASK) << NVME_SCT_SHIFT |
                                    (status.retry_delay & 3) << 11 | (status.more ? NVME_SC_MORE : 0) |
                                    (status.do_not_retry ? NVME_SC_DNR : 0));
}

bool is_invalid_opcode(const Status& status) {
  return status.code_type == NVME_SCT_GENERIC && status.code == NVME_SC_INVALID_OPCODE;
}

std::string describe(const Status& status) {
  std::string_view name;
  switch (status.code_type) {
    case NVME_SCT_GENERIC: name = generic_name(status.code); break;
    case NVME_SCT_CMD_SPECIFIC: name = command_specific_name(status.code); break;
    case NVME_SCT_MEDIA: name = media_name(status.code); break;
    case NVME_SCT_PATH: name = path_name(status.code); break;
    default: break;
  }
  char value[8];
  std::snprintf(value, sizeof value, "0x%02x", status.code);
  std::string text = name.empty() ? "status" : std::string(name);
  text += " (" + std::string(type_name(status.code_type)) + " status " + value;
  if (status.do_not_retry) text += ", DNR";
  if (status.more) text += ", more in the Error Information log";
  return text + ")";
}

int errno_for(const Status& status) {
  if (is_success(status)) return 0;
  switch (status.code_type) {
    case NVME_SCT_GENERIC:
      switch (status.code) {
        case NVME_SC_INVALID_OPCODE: return EOPNOTSUPP;
        case NVME_SC_INVALID_FIELD:
        case NVME_SC_INVALID_NS:
        case NVME_SC_LBA_RANGE: return EINVAL;
        case NVME_SC_CAP_EXCEEDED: return ENOSPC;
        case NVME_SC_NS_NOT_READY: return EAGAIN;
        case NVME_SC_RESERVATION_CONFLICT: return EBADE;
        case NVME_SC_NS_WRITE_PROTECTED: return EROFS;
        default: return EIO;
      }
    case NVME_SCT_CMD_SPECIFIC:
      switch (status.code) {
        case NVME_SC_BAD_ATTRIBUTES:
        case NVME_SC_INVALID_PI:
        case NVME_SC_CMD_SIZE_LIMIT_EXCEEDED: return EINVAL;
        case NVME_SC_READ_ONLY: return EROFS;
        default: return EIO;
      }
    case NVME_SCT_MEDIA: return status.code == NVME_SC_ACCESS_DENIED ? EROFS : EIO;
    case NVME_SCT_PATH: return ENOLINK;
    default: return EIO;
  }
}

}  // namespace offload::nvme
