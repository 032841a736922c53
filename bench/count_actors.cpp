// count_actors: an LD_PRELOAD module that counts the SimGrid actors a run
// creates, by actor name, and when (simulated time, 0.5 s buckets), and
// the process CPU time spent at each simulated time, for the scale
// benchmark (bench/sim_scale.sh --count-actors) without a rebuild of the
// program measured. At exit it appends to the file named by
// COUNT_ACTORS_OUT (standard error without it):
//   created NAME N        actors named NAME created in the run
//   created all N         all of them
//   when NAME t=A-B s N   of those, created at simulated times in [A, B)
//   cpu t=A-B s X         CPU seconds (user + system, CLOCK_PROCESS_CPUTIME_ID)
//                         spent while the simulated clock was in [A, B);
//                         what runs before the clock first moves counts at
//                         t=0, what runs after it last moved (the end of the
//                         run) at its last value
//   cpu after-end X       of that last value's, CPU seconds spent after
//                         the simulation ended (Engine::on_simulation_end):
//                         the program's results, teardown and exit
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
#include <ctime>
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

/// CPU seconds spent per half second of simulated time.
std::map<long, double>& cpu_when() {
  static auto* seconds = new std::map<long, double>;
  return *seconds;
}

double process_cpu_s() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double cpu_counted_s = 0;  ///< process CPU time already put in a bucket
double cpu_at_end_s = -1;  ///< process CPU time when the simulation ended (-1: not yet)
double clock_s = 0;        ///< simulated time the CPU since then is spent at

/// Puts the CPU time since the last call in the current simulated time's bucket.
void count_cpu() {
  double cpu = process_cpu_s();
  cpu_when()[static_cast<long>(clock_s * 2)] += cpu - cpu_counted_s;
  cpu_counted_s = cpu;
}

void connect() {
  cpu_counted_s = process_cpu_s();  // the program's start before this counts for nothing
  sg4::Actor::on_creation_cb([](sg4::Actor& actor) {
    std::string name = actor.get_name();
    ++created()[name];
    ++created_when()[name][static_cast<long>(sg4::Engine::get_clock() * 2)];
  });
  sg4::Engine::on_time_advance_cb([](double) {
    count_cpu();
    clock_s = sg4::Engine::get_clock();
  });
  sg4::Engine::on_simulation_end_cb([] { cpu_at_end_s = process_cpu_s(); });
}

/// Writes the counts when the program exits.
struct Report {
  ~Report() {
    if (created().empty()) return;
    double after_end_s = cpu_at_end_s >= 0 ? process_cpu_s() - cpu_at_end_s : 0;
    count_cpu();
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
    for (const auto& [bucket, seconds] : cpu_when()) {
      std::fprintf(out, "cpu t=%.1f-%.1f s %.3f\n", bucket / 2.0, bucket / 2.0 + 0.5, seconds);
    }
    if (cpu_at_end_s >= 0) std::fprintf(out, "cpu after-end %.3f\n", after_end_s);
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
