// engine_methods_bench: the copy engine's methods (host, kernel-copy, clone,
// auto) on real files, one benchmark per (directory, method), named
// copy/<fs>/<method> (e.g. copy/xfs/clone).
//
// Environment:
//   OFFLOAD_BENCH_DIRS         colon-separated directories, one per filesystem
//                              (unset: a fresh directory under /tmp)
//   OFFLOAD_BENCH_SIZE         source file size (default 256MiB)
//   OFFLOAD_BENCH_QUEUE_DEPTH  engine queue depth (default: EngineConfig's)
//   OFFLOAD_BENCH_HOST_CHUNK   bytes per host read/write (default: EngineConfig's)
//
// Each iteration copies the source to a fresh destination; the unlink before
// it is not timed, because the time is the engine's own submit-to-end time
// (UseManualTime). A method that cannot work on a filesystem (clone on ext4)
// and a first copy whose bytes differ are reported with SkipWithError.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "cli/copy_runner.hpp"
#include "cli/file_check.hpp"
#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/posix_file.hpp"
#include "engine/units.hpp"

namespace {

/// One benchmark: a method copying one directory's source file.
struct BenchCase {
  std::string source;             ///< pattern file of size_bytes
  std::string destination;        ///< recreated by every iteration
  std::uint64_t size_bytes = 0;   ///< bytes per copy
  offload::MethodChoice method = offload::MethodChoice::automatic;  ///< pinned method or ladder
  offload::EngineConfig config;   ///< queue depth, chunk sizes
  bool verified = false;          ///< the first copy's bytes were compared
};

/// Copies `c.source` once per iteration; time = the engine's elapsed time.
void run_case(benchmark::State& state, BenchCase& c) {
  offload::RealRuntime runtime(c.config.queue_depth);
  offload::PosixFileFactory files;
  offload::Engine engine(runtime, files, c.config);
  offload::CopyRequest request{.source = c.source, .destination = c.destination, .method = c.method};
  std::int64_t cpu_ns = 0;
  std::string methods;
  for (auto _ : state) {
    ::unlink(c.destination.c_str());
    auto cookie = engine.submit(request);
    if (!cookie) {
      state.SkipWithError(cookie.error().describe().c_str());
      break;
    }
    offload::CopyStatus status = *engine.wait(*cookie);
    engine.release(*cookie);
    if (status.state != offload::CopyState::done) {
      std::string why = status.error ? status.error->describe() : "copy did not finish";
      state.SkipWithError(why.c_str());
      break;
    }
    state.SetIterationTime(offload::cli::elapsed_seconds(status));
    cpu_ns += status.cpu_ns;
    methods = status.methods_used_text();
    if (!c.verified) {
      auto same = offload::cli::files_equal(c.source, c.destination, c.size_bytes);
      if (!same) {
        state.SkipWithError(("copy differs from the source: " + same.error()).c_str());
        break;
      }
      c.verified = true;
    }
  }
  ::unlink(c.destination.c_str());
  if (state.error_occurred()) return;
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(c.size_bytes));
  state.counters["cpu_s_per_copy"] =
      benchmark::Counter(static_cast<double>(cpu_ns) / 1e9, benchmark::Counter::kAvgIterations);
  state.SetLabel(("via " + methods).c_str());
}

/// Splits "a:b:c" into its non-empty parts.
std::vector<std::string> split_dirs(const std::string& text) {
  std::vector<std::string> dirs;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(':', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) dirs.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return dirs;
}

/// A size from the environment variable `name`, or `fallback` when unset.
std::optional<std::uint64_t> env_size(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  auto bytes = offload::parse_size_bytes(text);
  if (!bytes) {
    std::fprintf(stderr, "engine_methods_bench: %s: %s\n", name, bytes.error().c_str());
    return std::nullopt;
  }
  return *bytes;
}

/// Filesystem name of a directory ("xfs", "ext4", ...), or "" on error.
std::string directory_fs(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string name = offload::filesystem_name(fd);
  ::syncfs(fd);  // the source's dirty pages go out now, not during a run
  ::close(fd);
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  auto size_bytes = env_size("OFFLOAD_BENCH_SIZE", 256ULL << 20);
  offload::EngineConfig config;
  auto depth = env_size("OFFLOAD_BENCH_QUEUE_DEPTH", config.queue_depth);
  auto chunk = env_size("OFFLOAD_BENCH_HOST_CHUNK", config.host_chunk_bytes);
  if (!size_bytes || !depth || !chunk || *depth == 0 || *chunk == 0) return 2;
  config.queue_depth = static_cast<std::uint32_t>(*depth);
  config.host_chunk_bytes = *chunk;

  std::string temp_dir;
  const char* dirs_env = std::getenv("OFFLOAD_BENCH_DIRS");
  std::vector<std::string> dirs = split_dirs(dirs_env != nullptr ? dirs_env : "");
  if (dirs.empty()) {
    char pattern[] = "/tmp/offload-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
      std::perror("engine_methods_bench: mkdtemp");
      return 1;
    }
    temp_dir = pattern;
    dirs.push_back(temp_dir);
  }

  std::vector<std::unique_ptr<BenchCase>> cases;
  std::vector<std::string> sources;
  std::map<std::string, int> fs_seen;
  int status = 0;
  for (const std::string& dir : dirs) {
    std::string source = dir + "/offload-bench-src";
    auto written = offload::cli::write_pattern_file(source, *size_bytes, 42);
    if (!written) {
      std::fprintf(stderr, "engine_methods_bench: %s\n", written.error().c_str());
      status = 1;
      break;
    }
    sources.push_back(source);
    std::string fs = directory_fs(dir);
    if (fs.empty()) fs = "unknown";
    if (int n = ++fs_seen[fs]; n > 1) fs += "-" + std::to_string(n);  // two dirs, one fs kind
    for (const char* method : {"host", "kernel-copy", "clone", "auto"}) {
      auto c = std::make_unique<BenchCase>();
      c->source = source;
      c->destination = dir + "/offload-bench-dst-" + method;
      c->size_bytes = *size_bytes;
      c->method = *offload::parse_method_choice(method);
      c->config = config;
      BenchCase* raw = c.get();
      std::string name = "copy/" + fs + "/" + method;
      benchmark::RegisterBenchmark(name.c_str(), [raw](benchmark::State& state) { run_case(state, *raw); })
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
      cases.push_back(std::move(c));
    }
  }
  if (status == 0) benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const std::string& source : sources) ::unlink(source.c_str());
  if (!temp_dir.empty()) std::filesystem::remove_all(temp_dir);
  return status;
}
