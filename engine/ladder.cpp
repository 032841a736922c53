#include "engine/ladder.hpp"

#include <algorithm>
#include <cerrno>

namespace offload {

std::vector<Method> ladder_for(MethodChoice choice) {
  switch (choice) {
    case MethodChoice::automatic:
      return {Method::clone, Method::scsi_xcopy, Method::scsi_odx, Method::nvme_copy, Method::kernel_copy, Method::host};
    case MethodChoice::clone: return {Method::clone};
    case MethodChoice::scsi_xcopy: return {Method::scsi_xcopy};
    case MethodChoice::scsi_odx: return {Method::scsi_odx};
    case MethodChoice::nvme_copy: return {Method::nvme_copy};
    case MethodChoice::kernel_copy: return {Method::kernel_copy};
    case MethodChoice::host: return {Method::host};
  }
  return {};
}

std::vector<Method> ladder_for(MethodChoice choice, const TargetInfo& offers) {
  std::vector<Method> ladder = ladder_for(choice);
  if (choice == MethodChoice::automatic) {  // device offloads only where offered
    std::erase_if(ladder, [&](Method m) {
      if (m == Method::clone || m == Method::kernel_copy) return !offers.file_methods;
      return is_device_method(m) &&
             std::find(offers.device_methods.begin(), offers.device_methods.end(), m) == offers.device_methods.end();
    });
  }
  return ladder;
}

bool may_fall_back(int errno_value) {
  switch (errno_value) {
    case EOPNOTSUPP: case EXDEV: case EINVAL: case ENOSYS: case ENOTTY: case EBADF:
    case ESTALE:     // e.g. a SCSI ROD token that expired before WRITE USING TOKEN
    case EREMOTEIO:  // e.g. a SCSI copy manager that aborted a segment (COPY ABORTED)
      return true;
    default:
      return false;
  }
}

bool disables_method(int errno_value) {
  return errno_value != EINVAL && errno_value != ESTALE && errno_value != EREMOTEIO && may_fall_back(errno_value);
}

}  // namespace offload
