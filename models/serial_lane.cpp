#include "models/serial_lane.hpp"

#include "models/kernel_timer.hpp"
#include "models/shared_device.hpp"

namespace offload::models {

void LanePiece::wait() {
  while (!done_ && !ran_ready_) {
    if (!ran_) {
      ran_ = sg4::Exec::init();
      ran_->set_flops_amount(0);  // a simcall: the piece may run meanwhile
      ran_ready_ = true;
    } else {
      sg4::this_actor::yield();  // another waiter is making the handle
    }
  }
  if (done_) return;
  sg4::ExecPtr handle = ran_;
  handle->wait();
}

void LanePiece::then(std::function<void()> callback) {
  if (done_) {
    soon(std::move(callback));
  } else {
    then_.push_back(std::move(callback));
  }
}

void after_all(const std::vector<LanePiecePtr>& pieces, std::function<void()> then) {
  auto left = std::make_shared<int>(0);
  for (const auto& piece : pieces) *left += piece->done() ? 0 : 1;
  if (*left == 0) {
    then();
    return;
  }
  auto last = std::make_shared<std::function<void()>>(std::move(then));
  for (const auto& piece : pieces) {
    if (!piece->done()) piece->then([left, last] {
        if (--*left == 0) (*last)();
      });
  }
}

LanePiecePtr SerialLane::submit(double cpu_s) {
  auto piece = LanePiecePtr(new LanePiece(cpu_s));
  queue_.push_back(piece);
  if (queue_.size() == 1) start_head();
  return piece;
}

// The piece runs until it got its CPU seconds (whatever the actor that
// queued it does); its end wakes its waiters, if any, and admits the next.
void SerialLane::start_head() {
  cpu_.start(queue_.front()->cpu_s_, [this] {
    LanePiecePtr piece = std::move(queue_.front());
    queue_.pop_front();
    piece->done_ = true;
    if (piece->ran_ready_) cpu_.release(piece->ran_);
    for (auto& callback : piece->then_) soon(std::move(callback));
    piece->then_.clear();
    if (!queue_.empty()) start_head();
  });
}

}  // namespace offload::models
