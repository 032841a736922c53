// Asynchronous COPY of the NFS server model (models/nfs_server.hpp): the
// client's COPY, OFFLOAD_STATUS polling, OFFLOAD_CANCEL and CB_OFFLOAD, and
// the server's copy in stages. An inter-server copy runs its stages on a copy
// actor of the server (nfsd's copy thread). A copy within the server runs
// them as a state machine that the client's actor drives while it waits (its
// poll timer, its RPCs): one actor per copy instead of two, the same
// simulated times. The machine goes to a copy actor whenever the client
// would block on something else.
#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include "models/nfs_server.hpp"

namespace offload::models {
namespace {

/// "No disk latency running out" (AsyncCopy::wake_s).
constexpr double kNoWake = std::numeric_limits<double>::infinity();

}  // namespace

// State of one asynchronous COPY, shared by the client and the server side.
struct NfsServer::AsyncCopy {
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr changed = sg4::ConditionVariable::create();
  sg4::Host* client = nullptr;
  bool done = false;           // the server finished copying
  bool notified = false;       // CB_OFFLOAD reached the client
  bool cancelled = false;      // OFFLOAD_CANCEL reached the server
  bool callback_lost = false;  // its CB_OFFLOAD was dropped
  int epoch = 0;               // the server's restarts when it was accepted
  double copied = 0;           // bytes copied so far (OFFLOAD_STATUS)
  // The stage machine of a copy within the server:
  double bytes = 0;                       // bytes to copy
  double piece = 0;                       // bytes of the stage under way
  double wake_s = kNoWake;                // the stage's disk latency runs out then (simulated s)
  std::vector<sg4::ActivityPtr> running;  // the stage's disk read, disk write, CPU work not yet ended
  bool inline_driven = false;             // the client's actor drives the machine
  bool over = true;                       // no stage under way or to come
};

// After a stage (or at the start): the next stage, or the end of the copy.
void NfsServer::next_stage(const AsyncCopyPtr& copy) {
  if (copy->copied < copy->bytes && !copy->cancelled && copy->epoch == epoch_) {
    copy->piece = std::min(kAsyncStageBytes, copy->bytes - copy->copied);
    if (disk_.latency_s() > 0) copy->wake_s = sg4::Engine::get_clock() + disk_.latency_s();
    else start_stage(*copy);
    return;
  }
  copy->over = true;
  if (!complete_async(*copy)) return;
  // The client's actor cannot send it: a helper of the server's network
  // endpoint does (idle at the end of a copy, as it sends only replies): an
  // actor of the copier pool per CB_OFFLOAD cost 100,000 new actors when
  // 100,000 copies ended together (bench/README.md "Simulator scale").
  if (copy->inline_driven) network_.run_on_helper(host(), [this, copy] { send_callback(*copy); });
  else send_callback(*copy);  // on the copy actor
}

// The data of one stage, as local_copy: read and write the disk at once, one memcpy of server CPU.
void NfsServer::start_stage(AsyncCopy& copy) {
  copy.wake_s = kNoWake;
  copy.running = {disk_.start(copy.piece, DiskOp::read), disk_.start(copy.piece, DiskOp::write),
                  cpu_.work_async(cpu_.copy_cost_s(copy.piece))};
}

// The server finished (or stopped) copying; true when CB_OFFLOAD is to be sent.
bool NfsServer::complete_async(AsyncCopy& copy) {
  if (copy.epoch != epoch_) return false;  // lost with the server's state: no completion, no callback
  --pending_async_;
  copy.done = true;
  if (!spec_.copy.callback || copy.cancelled) return false;
  if (callbacks_to_lose_ > 0) {
    --callbacks_to_lose_;
    ++counters_.callbacks_lost;
    copy.callback_lost = true;
    return false;
  }
  ++counters_.callbacks;
  return true;
}

// CB_OFFLOAD, sent by an actor on the server (blocks it until delivered).
void NfsServer::send_callback(AsyncCopy& copy) {
  network_.send(host(), copy.client, wire(NfsRpc::cb_offload, false));
  std::unique_lock lock(*copy.mutex);
  copy.notified = true;
  copy.changed->notify_all();
}

// A copy actor takes the stage machine over and runs it to its end.
void NfsServer::hand_off(const AsyncCopyPtr& copy) {
  if (!copy->inline_driven) return;
  copy->inline_driven = false;
  if (copy->over) return;
  copiers_.submit([this, copy] {
    while (!copy->over) {
      if (copy->wake_s != kNoWake) {
        sg4::this_actor::sleep_until(copy->wake_s);
        start_stage(*copy);
        continue;
      }
      for (const auto& activity : copy->running) activity->wait();
      copy->running.clear();
      copy->copied += copy->piece;
      next_stage(copy);
    }
  });
}

// Blocks the client's actor until `transfer` arrived or, without one, until
// the simulated time `deadline` or CB_OFFLOAD; runs the copy's stages
// meanwhile while it drives them.
void NfsServer::wait_driving(const AsyncCopyPtr& copy, Transfer* transfer, double deadline) {
  for (;;) {
    if (transfer == nullptr && copy->notified) return;
    if (!copy->inline_driven || copy->over) {
      if (transfer != nullptr) {
        transfer->wait();
      } else {
        std::unique_lock lock(*copy->mutex);
        if (!copy->notified) copy->changed->wait_until(lock, deadline);
      }
      return;
    }
    double timer = transfer != nullptr ? copy->wake_s : std::min(copy->wake_s, deadline);
    std::vector<sg4::ActivityPtr> waited = copy->running;
    if (transfer != nullptr) waited.push_back(transfer->comm());
    ssize_t ended = -1;
    bool failed = false;
    if (waited.empty()) {
      sg4::this_actor::sleep_until(timer);
    } else {
      double timeout = timer == kNoWake ? -1 : std::max(0.0, timer - sg4::Engine::get_clock());
      try {
        ended = sg4::Activity::wait_any_for(waited, timeout);
      } catch (const simgrid::NetworkFailureException&) {  // only the transfer can fail
        failed = true;
      }
    }
    if (transfer != nullptr && (failed || ended == static_cast<ssize_t>(waited.size()) - 1)) {
      if (!failed) {
        try {
          transfer->comm()->wait();  // ended: returns at once, or says it failed
          return;
        } catch (const simgrid::NetworkFailureException&) {
        }
      }
      hand_off(copy);  // waiting for the route is no activity the machine can be driven by
      transfer->resend();
      transfer->wait();
      return;
    }
    if (ended >= 0) {
      copy->running.erase(copy->running.begin() + ended);
      if (copy->running.empty()) {
        copy->copied += copy->piece;
        next_stage(copy);
      }
      continue;
    }
    if (copy->wake_s <= timer) start_stage(*copy);  // the disk latency ran out
    if (transfer == nullptr && deadline <= timer) return;
  }
}

void NfsServer::send_driving(const AsyncCopyPtr& copy, sg4::Host* from, sg4::Host* to, double bytes) {
  Transfer transfer = network_.send_async(from, to, bytes);
  wait_driving(copy, &transfer, kNoWake);
}

// An asynchronous COPY: reply with a callback id, copy in stages, deliver
// CB_OFFLOAD; the client waits for the callback and polls OFFLOAD_STATUS
// every poll interval until it learns the copy ended, and sends
// OFFLOAD_CANCEL at its first wake-up after the engine cancelled.
// nullopt: a restart lost the copy (the caller redrives it).
std::optional<double> NfsServer::run_async(sg4::Host* client, double bytes, const InterruptFlag& interrupt,
                                           const std::function<void()>& prologue,
                                           const std::function<void(double)>& stage) {
  AsyncCopyPtr state;
  auto* owner = sg4::Actor::self()->get_data<FaultCounted>();  // the copy actor's retries count for this copy
  auto release = [&] {
    if (state) hand_off(state);  // the client stops driving it
  };
  rpc(
      [&] {
        release();  // an earlier attempt's copy was lost with a restart: its stage runs out on an actor
        network_.send(client, host(), wire(NfsRpc::copy_async, false));  // COPY
        state = std::make_shared<AsyncCopy>();
        state->client = client;
        state->epoch = epoch_;
        state->bytes = bytes;
        ++pending_async_;
        if (!stage) {
          state->inline_driven = true;
          state->over = false;
          next_stage(state);
        } else {
          state->over = false;
          copiers_.submit([this, state, bytes, prologue, stage, owner] {
            sg4::Actor::self()->set_data(owner);
            if (prologue) prologue();
            while (state->copied < bytes && !state->cancelled && state->epoch == epoch_) {
              double piece = std::min(kAsyncStageBytes, bytes - state->copied);
              stage(piece);
              state->copied += piece;
            }
            sg4::Actor::self()->set_data(nullptr);  // the client may end the copy before the callback lands
            state->over = true;
            if (complete_async(*state)) send_callback(*state);
          });
        }
        send_driving(state, host(), client, wire(NfsRpc::copy_async, true));  // reply with the callback id
      },
      release);
  for (;;) {
    if (state->notified) break;
    wait_driving(state, nullptr, sg4::Engine::get_clock() + spec_.copy.poll_interval_s);
    if (state->notified) break;
    if (interrupt && *interrupt && !state->cancelled) {
      rpc(
          [&] {
            ++counters_.offload_cancel;
            send_driving(state, client, host(), wire(NfsRpc::offload_cancel, false));  // OFFLOAD_CANCEL
            state->cancelled = true;
            send_driving(state, host(), client, wire(NfsRpc::offload_cancel, true));
          },
          release);
    }
    bool done = false, lost = false;
    rpc(
        [&] {
          ++counters_.offload_status;
          send_driving(state, client, host(), wire(NfsRpc::offload_status, false));  // OFFLOAD_STATUS
          done = state->done;
          lost = !done && state->epoch != epoch_;  // NFS4ERR_BAD_STATEID after the reboot
          send_driving(state, host(), client, wire(NfsRpc::offload_status, true));
        },
        release);
    if (done) break;
    if (lost) {
      release();
      ++counters_.redrives;
      if (FaultTally* tally = current_tally()) tally->redrives += 1;
      return std::nullopt;
    }
  }
  if (state->callback_lost) {
    if (FaultTally* tally = current_tally()) tally->callbacks_lost += 1;
  }
  return state->copied;
}

}  // namespace offload::models
