#include "models/serial_lane.hpp"

#include "models/shared_device.hpp"

namespace offload::models {

LanePiecePtr SerialLane::submit(double cpu_s) {
  auto piece = LanePiecePtr(new LanePiece(cpu_s));
  queue_.push_back(piece);
  if (queue_.size() == 1) start_head();
  return piece;
}

// The piece runs until it got its CPU seconds; its end admits the next one
// (not owned by the actor that queued it: it runs whatever that actor does).
void SerialLane::start_head() {
  const LanePiecePtr& head = queue_.front();
  cpu_.start(head->ran_, head->cpu_s_, [this] {
    queue_.pop_front();
    if (!queue_.empty()) start_head();
  }, false);
}

}  // namespace offload::models
