// simgrid_completion_probe: shows whether the installed SimGrid calls
// Activity::on_completion for an activity nobody waits for. With 3.32 it
// does not (an Exec of 2 s, started and never waited for, is still STARTED
// at t = 5 s, with no call; a waited one gets its call at wait()), so an
// actor that drives many copies' activities cannot be told of their ends
// by that signal and has to wait on them (bench/README.md "Simulator scale").
// Prints two lines: the state and the count of calls after each exec.
#include <simgrid/s4u.hpp>

#include <cstdio>

namespace sg4 = simgrid::s4u;

namespace {
int completions = 0;  ///< Activity::on_completion calls so far
}  // namespace

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);
  auto* zone = sg4::create_full_zone("probe");
  sg4::Host* host = zone->create_host("h", 1e9);  // flop/s: an Exec of 2e9 flops lasts 2 s
  zone->seal();
  sg4::Activity::on_completion_cb([](const sg4::Activity&) { ++completions; });
  sg4::Actor::create("probe", host, [] {
    sg4::ExecPtr unwaited = sg4::this_actor::exec_async(2e9);
    sg4::this_actor::sleep_for(5);
    std::printf("t=%g s: exec ended at 2 s, never waited for: state %s, on_completion calls %d\n",
                sg4::Engine::get_clock(), unwaited->get_state_str(), completions);
    sg4::ExecPtr waited = sg4::this_actor::exec_async(1e9);
    waited->wait();
    std::printf("t=%g s: a second exec, waited for: state %s, on_completion calls %d\n", sg4::Engine::get_clock(),
                waited->get_state_str(), completions);
  });
  engine.run();
  return 0;
}
