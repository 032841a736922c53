#include "engine/op_gate.hpp"

namespace offload {

void OpGate::hold_at(HoldPoint point) {
  std::lock_guard lock(mutex_);
  point_ = point;
  counted_ = 0;
  changed_.notify_all();
}

bool OpGate::wait_held(std::chrono::nanoseconds bound) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, bound, [this] { return held_ > 0 || (!closed_ && !point_); });
  return held_ > 0;
}

void OpGate::release(std::optional<HoldPoint> next) {
  std::lock_guard lock(mutex_);
  point_ = next;
  counted_ = 0;
  closed_ = false;
  closed_by_.reset();
  held_ = 0;  // those held go now: a wait for the next point must not see them
  ++generation_;
  changed_.notify_all();
}

std::size_t OpGate::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::optional<OpKind> OpGate::held_kind() const {
  std::lock_guard lock(mutex_);
  return closed_by_;
}

void OpGate::enter(const Op& op) {
  std::unique_lock lock(mutex_);
  if (!closed_ && point_ && (!point_->kind || op.kind == *point_->kind)) {
    if (counted_ == point_->ops_before) {
      closed_ = true;
      closed_by_ = op.kind;
    } else {
      ++counted_;
    }
  }
  if (!closed_) return;
  std::uint64_t generation = generation_;
  ++held_;
  changed_.notify_all();
  changed_.wait(lock, [&] { return generation_ != generation; });
}

}  // namespace offload
