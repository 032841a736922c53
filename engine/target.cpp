#include "engine/target.hpp"

namespace offload {

OpResult CopyTarget::execute(const Op& op) {
  switch (op.kind) {
    case OpKind::map_data: return map_data({op.source_offset, op.length});
    case OpKind::read: return read(op);
    case OpKind::write: return write(op);
    case OpKind::clone: return clone(op);
    case OpKind::copy_range: return copy_range(op);
    case OpKind::xcopy: return xcopy(op);
    case OpKind::odx: return odx(op);
    case OpKind::nvme_copy: return nvme_copy(op);
    case OpKind::zero_range: return zero_range(op);
    case OpKind::finish: return finish();
    case OpKind::abort: return abort();
  }
  return {.value = -EINVAL};  // an OpKind this switch does not know
}

}  // namespace offload
