#include "models/scsi_array.hpp"

#include <algorithm>
#include <cerrno>
#include <memory>

#include "models/stage.hpp"

namespace offload::models {

ScsiArray::ScsiArray(const sim::ScsiArraySpec& spec, sg4::Host* host, Network& network)
    : spec_(spec),
      cpu_(host, spec.cpu),
      disk_(host, spec.name + "-backend", spec.disk),
      network_(network),
      copiers_(host, "odx-copy"),
      copy_slots_(sg4::Semaphore::create(static_cast<unsigned>(spec.copy.max_concurrent))) {}

void ScsiArray::read(sg4::Host* initiator, double bytes) {
  ++counters_.reads;
  network_.send(initiator, host(), spec_.copy.command_bytes);
  // DMA: the controller pays per command, not per byte.
  disk_to_peer(disk_, cpu_, cpu_.copy_cost_s(0), network_, host(), initiator, bytes, bytes + spec_.copy.command_bytes);
}

void ScsiArray::write(sg4::Host* initiator, double bytes) {
  ++counters_.writes;
  peer_to_disk(disk_, cpu_, cpu_.copy_cost_s(0), network_, host(), initiator, bytes, bytes + spec_.copy.command_bytes);
  network_.send(host(), initiator, spec_.copy.command_bytes);
}

void ScsiArray::command(sg4::Host* initiator) {
  network_.send(initiator, host(), spec_.copy.command_bytes);
  cpu_.work_async(cpu_.copy_cost_s(0))->wait();
  network_.send(host(), initiator, spec_.copy.command_bytes);
}

// The copy engine: one slot of max_concurrent, back-end read and write at once.
void ScsiArray::copy_in_back_end(double bytes) {
  copy_slots_->acquire();
  cpu_.work_async(spec_.copy.command_cpu_s)->wait();
  disk_to_disk(disk_, disk_, nullptr, 0, bytes);
  copy_slots_->release();
}

double ScsiArray::extended_copy(sg4::Host* initiator, double bytes) {
  ++counters_.extended_copies;
  network_.send(initiator, host(), spec_.copy.command_bytes);  // CDB + parameter list
  if (!spec_.copy.xcopy) {  // INVALID OPERATION CODE
    network_.send(host(), initiator, spec_.copy.command_bytes);
    return 0;
  }
  if (segments_to_fail_ > 0) {  // CHECK CONDITION, COPY ABORTED
    --segments_to_fail_;
    ++counters_.copies_aborted;
    network_.send(host(), initiator, spec_.copy.command_bytes);
    return -EIO;
  }
  double moved = std::min(bytes, spec_.copy.max_segment_bytes);
  copy_in_back_end(moved);
  network_.send(host(), initiator, spec_.copy.command_bytes);  // status GOOD
  return moved;
}

double ScsiArray::token_copy(sg4::Host* initiator, double bytes) {
  ++counters_.populate_tokens;
  network_.send(initiator, host(), spec_.copy.command_bytes);  // POPULATE TOKEN
  if (!spec_.copy.odx) {
    network_.send(host(), initiator, spec_.copy.command_bytes);
    return 0;
  }
  double moved = std::min(bytes, spec_.copy.max_token_bytes);
  cpu_.work_async(spec_.copy.populate_cpu_s)->wait();
  double populated_at = sg4::Engine::get_clock();
  network_.send(host(), initiator, spec_.copy.command_bytes);
  ++counters_.rrti_polls;
  command(initiator);  // RECEIVE ROD TOKEN INFORMATION: the 512-byte token
  ++counters_.write_using_tokens;
  network_.send(initiator, host(), spec_.copy.command_bytes);  // WRITE USING TOKEN
  if (populated_at <= tokens_expired_at_ || segments_to_fail_ > 0) {  // CHECK CONDITION
    bool expired = populated_at <= tokens_expired_at_;
    if (!expired) --segments_to_fail_;
    ++(expired ? counters_.tokens_expired : counters_.copies_aborted);
    network_.send(host(), initiator, spec_.copy.command_bytes);
    return expired ? -EINVAL : -EIO;
  }
  auto finished_at = std::make_shared<double>(-1);  // when the copy engine finished
  copiers_.submit([this, moved, finished_at] {
    copy_in_back_end(moved);
    *finished_at = sg4::Engine::get_clock();
  });
  network_.send(host(), initiator, spec_.copy.command_bytes);  // status: copy under way
  while (*finished_at < 0) {  // RRTI until the copy is complete
    sg4::this_actor::sleep_for(spec_.copy.poll_interval_s);
    ++counters_.rrti_polls;
    command(initiator);
  }
  if (populated_at <= tokens_expired_at_ && tokens_expired_at_ < *finished_at) {  // expired in use: RRTI reports the failure
    ++counters_.tokens_expired;
    return -EINVAL;
  }
  return moved;
}

void ScsiArray::expire_tokens() { tokens_expired_at_ = sg4::Engine::get_clock(); }

void ScsiArray::fail_next_segment() { ++segments_to_fail_; }

}  // namespace offload::models
