// A pool of actors on one SimGrid host that run tasks: a task goes to an
// idle actor, or to a new one when none is idle, and the actor waits for
// the next task when it is done. Creating and destroying an actor per task
// costs a stack each (mapped, touched, unmapped), which dominates a
// simulation with thousands of short operations. Actors are daemons: an
// idle pool does not keep the simulation alive, so every task must be
// waited for by someone who is not (the engine's workload, a client).
// When a run's work is done, ActorPool::end_idle_actors() lets the idle
// actors return instead of leaving them to SimGrid's kill of the daemons.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <simgrid/s4u.hpp>

namespace offload::models {

namespace sg4 = simgrid::s4u;

/// Daemon actors on one host that run tasks one after the other.
class ActorPool {
 public:
  /// A unit of work; it may block on SimGrid activities.
  using Task = std::function<void()>;
  /// Actors named `name` on `host`, with stacks of `stack_kib` KiB (0: SimGrid's
  /// setting). SimGrid 3.32's Actor::set_stacksize counts KiB: 64 * 1024 mapped 64 MiB.
  ActorPool(sg4::Host* host, std::string name, unsigned stack_kib = 0);
  ~ActorPool();
  ActorPool(const ActorPool&) = delete;
  ActorPool& operator=(const ActorPool&) = delete;
  /// Runs `task` on an idle actor of the pool, or on a new one.
  void submit(Task task);
  /// Called from a task of this pool: runs `tail`, and a task submitted
  /// during `tail` runs next on the calling actor (which is about to be free).
  void finish_with(const std::function<void()>& tail);
  /// Actors created so far (the most tasks that ran at once, or a few more).
  int size() const { return size_; }
  /// Call from an actor once no more tasks are expected: every pool's idle
  /// actors end (this waits for them, in no simulated time) and busy ones end
  /// after their task. A task submitted later still runs, on a new actor that
  /// ends after it. Once only daemons remain SimGrid kills them, which unwinds
  /// each blocked stack by an exception, deeper than the actor ever ran: with
  /// 100,000 idle actors that touched ~1.2 GB of stack pages
  /// (bench/README.md "Simulator scale").
  static void end_idle_actors();

 private:
  void serve();
  static std::set<ActorPool*>& every_pool();
  sg4::Host* host_;
  std::string name_;
  unsigned stack_kib_;
  sg4::MutexPtr mutex_;
  sg4::ConditionVariablePtr queued_;
  std::deque<Task> queue_;
  std::map<long, std::optional<Task>*> next_of_;  // actor pid -> its next task
  std::optional<Task>* handoff_ = nullptr;         // a slot open during finish_with
  int idle_ = 0;                                   // idle actors not yet woken for a task
  std::set<long> waiting_;                         // pids of the actors waiting for a task
  std::set<long> dismissed_;                       // pids of idle actors told to end
  bool ending_ = false;                            // end_idle_actors() was called
  int size_ = 0;
};

/// Makes malloc give every block of 128 KiB or more (every actor stack of
/// SimGrid's contexts/stack-size, 256 KiB) a mapping of its own, for the
/// whole process: only the pages an actor touches are resident. glibc's
/// default raises this threshold to the size of the first mapped block
/// freed (a grown vector, say), after which stacks come from the heap,
/// where much more of each ends up resident (calloc zeroes a reused block):
/// 30,000 asynchronous COPYs peaked at 5.2 GB RSS that way, 0.84 GB with
/// this (bench/README.md "Simulator scale"). Past glibc's default limit of
/// 65,536 mapped blocks (100,000 COPYs keep more actors) stacks went to the
/// heap again, so the limit is lifted too; adjacent stack mappings merge,
/// so the kernel's vm.max_map_count is not reached. Call before the first actor.
/// Under jemalloc (offload-sim-run and bare_simgrid_copy link it: CMake's
/// OFFLOAD_JEMALLOC) this changes nothing: jemalloc serves such blocks
/// from extents of its own, resident where touched (100,000 asynchronous
/// COPYs: 3,752 MiB peak with glibc and this, 2,998 MiB with jemalloc).
void map_actor_stacks();

}  // namespace offload::models
