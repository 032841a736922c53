// count_actors: an LD_PRELOAD module that counts the SimGrid actors a run
// creates, by actor name, and when (simulated time, 0.5 s buckets), for
// the scale benchmark (bench/sim_scale.sh --count-actors) without a
// rebuild of the program measured. At exit it appends to the file named
// by COUNT_ACTORS_OUT (standard error without it):
//   created NAME N        actors named NAME created in the run
//   created all N         all of them
//   when NAME t=A-B s N   of those, created at simulated times in [A, B)
// It connects to sg4::Actor::on_creation from the program's first
// mallopt(3) call: offload-sim-run and bare_simgrid_copy make it in
// models::map_actor_stacks(), before their SimGrid engine exists. Connected
// from this module's own static constructor instead, it counted nothing
// (SimGrid's signal was not yet initialised then, as far as seen). A program
// that never calls mallopt is not counted.
// Use: LD_PRELOAD=build/bench/libcount_actors.so COUNT_ACTORS_OUT=FILE PROGRAM ...
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace {

/// Actors created, by name (allocated once, never freed: used until exit).
std::map<std::string, long>& created() {
  static auto* counts = new std::map<std::string, long>;
  return *counts;
}

/// Actors created per name and half second of simulated time.
std::map<std::string, std::map<long, long>>& created_when() {
  static auto* counts = new std::map<std::string, std::map<long, long>>;
  return *counts;
}

void connect() {
  sg4::Actor::on_creation_cb([](sg4::Actor& actor) {
    std::string name = actor.get_name();
    ++created()[name];
    ++created_when()[name][static_cast<long>(sg4::Engine::get_clock() * 2)];
  });
}

/// Writes the counts when the program exits.
struct Report {
  ~Report() {
    if (created().empty()) return;
    const char* path = std::getenv("COUNT_ACTORS_OUT");
    std::FILE* out = path != nullptr ? std::fopen(path, "a") : stderr;
    if (out == nullptr) return;
    long all = 0;
    for (const auto& [name, count] : created()) {
      std::fprintf(out, "created %s %ld\n", name.c_str(), count);
      all += count;
    }
    std::fprintf(out, "created all %ld\n", all);
    for (const auto& [name, buckets] : created_when()) {
      for (const auto& [bucket, count] : buckets) {
        std::fprintf(out, "when %s t=%.1f-%.1f s %ld\n", name.c_str(), bucket / 2.0, bucket / 2.0 + 0.5, count);
      }
    }
    if (out != stderr) std::fclose(out);
  }
} report;

bool connected = false;

}  // namespace

/// Interposes mallopt(3): connects the counter at the first call, then calls glibc's.
extern "C" int mallopt(int param, int value) {
  if (!connected) {
    connected = true;
    connect();
  }
  static auto* real = reinterpret_cast<int (*)(int, int)>(dlsym(RTLD_NEXT, "mallopt"));
  return real(param, value);
}
