#include "models/serial_lane.hpp"

namespace offload::models {

void LanePiece::wait() {
  std::unique_lock lock(*mutex_);
  while (!done_) changed_->wait(lock);
}

LanePiecePtr SerialLane::submit(double flops) {
  auto piece = LanePiecePtr(new LanePiece(flops, mutex_, changed_));
  if (!started_) {
    started_ = true;
    sg4::Actor::create("lane", host_, [this] { serve(); })->daemonize();
  }
  std::unique_lock lock(*mutex_);
  queue_.push_back(piece);
  changed_->notify_all();
  return piece;
}

void SerialLane::serve() {
  for (;;) {
    LanePiecePtr piece;
    {
      std::unique_lock lock(*mutex_);
      while (queue_.empty()) changed_->wait(lock);
      piece = queue_.front();
    }
    sg4::this_actor::execute(piece->flops_);
    std::unique_lock lock(*mutex_);
    queue_.pop_front();
    piece->done_ = true;
    changed_->notify_all();
  }
}

}  // namespace offload::models
