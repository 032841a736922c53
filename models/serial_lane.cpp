#include "models/serial_lane.hpp"

namespace offload::models {

void LanePiece::wait() {
  std::unique_lock lock(*mutex_);
  if (done_) return;
  if (!ran_) ran_ = sg4::ConditionVariable::create();
  while (!done_) ran_->wait(lock);
}

LanePiecePtr SerialLane::submit(double flops) {
  auto piece = LanePiecePtr(new LanePiece(flops, mutex_));
  if (!started_) {
    started_ = true;
    sg4::Actor::create("lane", host_, [this] { serve(); })->daemonize();
  }
  std::unique_lock lock(*mutex_);
  queue_.push_back(piece);
  queued_->notify_one();
  return piece;
}

void SerialLane::serve() {
  for (;;) {
    LanePiecePtr piece;
    {
      std::unique_lock lock(*mutex_);
      while (queue_.empty()) queued_->wait(lock);
      piece = queue_.front();
    }
    sg4::this_actor::execute(piece->flops_);
    std::unique_lock lock(*mutex_);
    queue_.pop_front();
    piece->done_ = true;
    if (piece->ran_) piece->ran_->notify_all();
  }
}

}  // namespace offload::models
