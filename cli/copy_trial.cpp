#include "cli/copy_trial.hpp"

#include <unistd.h>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

#include <algorithm>

#include "cli/copy_runner.hpp"
#include "cli/file_check.hpp"
#include "engine/status_json.hpp"

namespace offload::cli {
namespace {

// Writes a device's cached blocks out and drops them (BLKFLSBUF), so that a
// read sees what passthrough commands wrote to the media.
void flush_device_cache(const std::string& node) {
  int fd = open(node.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // the copy itself will report it
  fsync(fd);
  ioctl(fd, BLKFLSBUF, 0);  // not a block device (a generic node): nothing cached
  close(fd);
}

// Writes the directory's filesystem out, then every filesystem (sync(2),
// twice): a loop-mounted filesystem's syncfs only moves its data into the
// backing file's page cache, which the host filesystem would then write
// back under a later timed copy (on the development VM 2 of 7 ext4 host
// copies of 256 MiB took 340-370 ms instead of 40-50 ms: dirty-page
// throttling from earlier copies' data). The second sync writes what the
// first pushed into a backing file.
void sync_directory(const std::string& directory) {
  int fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the copy itself will report a missing directory
  syncfs(fd);
  close(fd);
  sync();
  sync();
}

}  // namespace

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

TrialResult run_trials(const TrialSpec& spec, nlohmann::json& runs) {
  TrialResult result;
  std::string destination = spec.device              ? spec.source
                            : !spec.destination.empty() ? spec.destination
                                                        : spec.directory + "/offload-trial-" + spec.method + ".bin";
  auto method = parse_method_choice(spec.method);
  if (!method) {
    result.outcome = "unknown method '" + spec.method + "'";
    return result;
  }
  unsigned copies = spec.repeat + (spec.warm_up ? 1 : 0);
  for (unsigned attempt = 0; attempt < copies; ++attempt) {
    if (stop_signal() != 0) {  // asked to stop while the last copy finished: start no other
      result.outcome = "stopped";
      break;
    }
    if (!spec.device) unlink(destination.c_str());
    if (spec.sync_first && !spec.device) sync_directory(spec.directory);
    if (spec.device) flush_device_cache(spec.source);
    CopyRequest request{.source = spec.source, .destination = destination, .method = *method};
    if (spec.device) {
      request.destination_offset = spec.size_bytes;
      request.length = spec.size_bytes;
      request.overwrite = true;
    }
    RunOptions options;
    options.engine = spec.engine;
    auto status = run_copy(request, options);
    if (!status || status->state != CopyState::done) {
      result.outcome = status ? (status->error ? status->error->describe() : "did not finish") : status.error().describe();
      if (status) result.fs = status->destination_fs;
      break;
    }
    result.fs = status->destination_fs;
    result.methods_used = status->methods_used_text();
    if (attempt > 0 || !spec.warm_up) {
      runs.push_back(status_json(*status, request));
      runs.back()["queue_depth"] = spec.engine.queue_depth;  // interleaved runs: the order no longer says
      result.seconds.push_back(elapsed_seconds(*status));
      result.cpu_seconds.push_back(static_cast<double>(status->cpu_ns) / 1e9);
      result.operations.push_back(status->operations);
      result.fresh_buffer_bytes.push_back(status->fresh_buffer_bytes);
    }
    if (attempt == 0 && spec.verify_first) {
      if (spec.device) flush_device_cache(spec.source);
      auto same = spec.device ? ranges_equal(spec.source, 0, spec.source, spec.size_bytes, spec.size_bytes)
                              : files_equal(spec.source, destination, spec.size_bytes);
      if (!same) {
        result.outcome = "VERIFY FAILED: " + same.error();
        break;
      }
      result.verified = true;
    }
  }
  if (!spec.device) unlink(destination.c_str());
  return result;
}

void append_trials(TrialResult& into, const TrialResult& more) {
  if (!more.fs.empty()) into.fs = more.fs;
  if (!more.methods_used.empty()) into.methods_used = more.methods_used;
  if (into.ok()) into.outcome = more.outcome;
  into.verified = into.verified || more.verified;
  into.seconds.insert(into.seconds.end(), more.seconds.begin(), more.seconds.end());
  into.cpu_seconds.insert(into.cpu_seconds.end(), more.cpu_seconds.begin(), more.cpu_seconds.end());
  into.operations.insert(into.operations.end(), more.operations.begin(), more.operations.end());
  into.fresh_buffer_bytes.insert(into.fresh_buffer_bytes.end(), more.fresh_buffer_bytes.begin(),
                                 more.fresh_buffer_bytes.end());
}

std::vector<TrialResult> run_interleaved(const std::vector<TrialSpec>& specs, nlohmann::json& runs) {
  std::vector<TrialResult> results(specs.size());
  unsigned rounds = 1;
  for (const auto& spec : specs) rounds = std::max(rounds, spec.repeat);
  for (unsigned round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < specs.size(); ++i) {
      if (!results[i].ok() || (round > 0 && round >= specs[i].repeat)) continue;
      TrialSpec one = specs[i];
      one.repeat = std::min(one.repeat, 1u);
      if (round > 0) one.warm_up = one.verify_first = false;  // warm, and verified, already
      append_trials(results[i], run_trials(one, runs));
    }
  }
  return results;
}

}  // namespace offload::cli
