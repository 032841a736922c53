// Callbacks at a simulated time, run by SimGrid's kernel (maestro) without
// an actor: what lets a model's request wait for a time or an event
// without holding an actor's stack (models/host_stream.hpp). SimGrid 3.32
// runs the timers due at the current time once every runnable actor has
// yielded (EngineImpl::run: Timer::execute_all after the sub-rounds), and
// one set by a timer for the current time runs in that same pass. Set from
// an actor too: SimGrid runs actors one at a time here (no parallel
// contexts), so the kernel's timer heap is not shared.
// A callback runs in the kernel: it must not block, nor lock a SimGrid
// mutex (maestro cannot); it may notify condition variables, start
// activities and set further timers.
#pragma once

#include <algorithm>
#include <functional>
#include <utility>

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>

namespace offload::models {

/// Runs `callback` (any callable; a small one is stored in the timer
/// itself, with no allocation of its own) in the kernel at simulated time
/// `at_s` (seconds; at once if it passed).
template <class Callback>
void at_time(double at_s, Callback&& callback) {
  simgrid::kernel::timer::Timer::set(std::max(at_s, simgrid::s4u::Engine::get_clock()),
                                     simgrid::xbt::Task<void()>(std::forward<Callback>(callback)));
}

/// Runs `callback` in the kernel later in this instant, once the caller and
/// the other runnable actors yielded: never inside the caller's own code.
template <class Callback>
void soon(Callback&& callback) {
  at_time(simgrid::s4u::Engine::get_clock(), std::forward<Callback>(callback));
}

}  // namespace offload::models
