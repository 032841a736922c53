#include "models/actor_pool.hpp"

#include <malloc.h>

#include <limits>
#include <vector>
#include <utility>

namespace offload::models {

ActorPool::ActorPool(sg4::Host* host, std::string name, unsigned stack_kib)
    : host_(host),
      name_(std::move(name)),
      stack_kib_(stack_kib),
      mutex_(sg4::Mutex::create()),
      queued_(sg4::ConditionVariable::create()) {
  every_pool().insert(this);
}

ActorPool::~ActorPool() { every_pool().erase(this); }

std::set<ActorPool*>& ActorPool::every_pool() {
  static std::set<ActorPool*> pools;  // SimGrid runs one simulation per process
  return pools;
}

void ActorPool::end_idle_actors() {
  std::vector<sg4::ActorPtr> ending;
  for (ActorPool* pool : every_pool()) {
    std::unique_lock lock(*pool->mutex_);
    pool->ending_ = true;
    // Queued tasks are spoken for by woken actors not yet running, unknown which.
    if (!pool->queue_.empty()) continue;
    pool->idle_ = 0;  // a task submitted from now on gets an actor of its own
    for (long pid : pool->waiting_) {
      pool->dismissed_.insert(pid);
      ending.push_back(sg4::Actor::by_pid(pid));
    }
    pool->queued_->notify_all();
  }
  for (const sg4::ActorPtr& actor : ending) {
    if (actor) actor->join();
  }
}

void ActorPool::submit(Task task) {
  if (handoff_ != nullptr) {
    *handoff_ = std::move(task);
    handoff_ = nullptr;
    return;
  }
  queue_.push_back(std::move(task));
  if (idle_ > 0) {
    --idle_;  // that actor is spoken for
    // From the kernel (a completion run by a timer) no actor holds the mutex
    // (none blocks while holding it) and maestro cannot lock it.
    std::unique_lock<sg4::Mutex> lock;
    if (!sg4::Actor::is_maestro()) lock = std::unique_lock(*mutex_);
    queued_->notify_one();
    return;
  }
  ++size_;
  auto actor = sg4::Actor::init(name_, host_);
  if (stack_kib_ > 0) actor->set_stacksize(stack_kib_);
  actor->start([this] { serve(); })->daemonize();
}

void ActorPool::finish_with(const std::function<void()>& tail) {
  std::optional<Task>* slot = next_of_.at(sg4::this_actor::get_pid());
  handoff_ = slot;
  tail();
  // No simcall between here and serve() reading the slot: nothing lands in it later.
  if (handoff_ == slot) handoff_ = nullptr;
}

void ActorPool::serve() {
  std::optional<Task> next;
  next_of_[sg4::this_actor::get_pid()] = &next;
  for (;;) {
    if (!next) {
      // Idle only while holding the mutex up to the wait, so submit() cannot
      // notify before this actor listens; the task is taken before unlocking,
      // a simcall during which other actors may run.
      std::unique_lock lock(*mutex_);
      long pid = sg4::this_actor::get_pid();
      while (queue_.empty() || dismissed_.count(pid) > 0) {
        if (ending_) {
          dismissed_.erase(pid);
          next_of_.erase(pid);
          return;
        }
        ++idle_;
        waiting_.insert(pid);
        queued_->wait(lock);
        waiting_.erase(pid);
      }
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    Task task = std::move(*next);
    next.reset();
    task();
  }
}

void map_actor_stacks() {
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_MMAP_MAX, std::numeric_limits<int>::max());  // glibc's default: 65,536 mapped blocks
}

}  // namespace offload::models
