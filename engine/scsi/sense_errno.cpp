#include "engine/scsi/sense_errno.hpp"

#include <cerrno>

#include "engine/scsi/status.hpp"

namespace offload::scsi {

int errno_for(const Sense& sense) {
  switch (sense.key) {
    case SenseKey::illegal_request:
      if (sense.code == asc::invalid_operation_code || sense.code == asc::invalid_field_in_cdb) return EOPNOTSUPP;
      if (sense.code.asc == asc::invalid_token_operation.asc) return ESTALE;
      return EINVAL;
    case SenseKey::copy_aborted:
      return sense.code == asc::copy_target_device_not_reachable ? EXDEV : EREMOTEIO;
    case SenseKey::data_protect:
      return sense.code == asc::space_allocation_failed ? ENOSPC : EROFS;
    case SenseKey::volume_overflow: return ENOSPC;
    default: return EIO;
  }
}

int errno_for_status(int value) {
  switch (value) {
    case status::busy: case status::task_set_full: case status::reservation_conflict: return EBUSY;
    default: return EIO;
  }
}

}  // namespace offload::scsi
