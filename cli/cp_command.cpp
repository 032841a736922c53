// `offload cp SRC DST`: a cp-like front end to the engine.
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/copy_runner.hpp"
#include "engine/status_json.hpp"
#include "engine/targets/smb_mount.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

struct CpOptions {
  std::string source;
  std::string destination;
  std::string method = "auto";
  bool atomic = false;
  bool overwrite = false;
  bool progress = false;
  bool json = false;
  std::string source_offset = "0";
  std::string destination_offset = "0";
  std::string length;
  unsigned queue_depth = 8;
  unsigned copy_depth = 2;
  std::string host_chunk = "4MiB";
  IscsiTimeouts iscsi;  ///< connect, login and per-command limits, seconds
};

std::uint64_t size_option(const std::string& text, const char* flag) {
  auto bytes = parse_size_bytes(text);
  if (!bytes) throw CLI::ValidationError(flag, bytes.error());
  return *bytes;
}

// cp semantics: copying onto an existing directory means into it.
std::string resolve_destination(const std::string& source, const std::string& destination) {
  struct stat st {};
  if (stat(destination.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return destination;
  std::size_t slash = source.find_last_of('/');
  std::string base = slash == std::string::npos ? source : source.substr(slash + 1);
  return destination + (destination.ends_with('/') ? "" : "/") + base;
}

// What a copy that did not finish left under DST, as one clause.
std::string what_was_left(const CopyStatus& status, const CopyRequest& request) {
  const std::string& dst = request.destination;
  switch (status.destination_left) {
    case DestinationLeft::absent: return request.atomic ? "nothing was published" : "nothing was left under " + dst;
    case DestinationLeft::unchanged:
      return request.atomic ? "nothing was published; " + dst + " is unchanged" : dst + " is unchanged";
    case DestinationLeft::prefix:
      return (status.destination_left_bytes == 0 ? dst + " is empty"
                                                 : dst + " holds the first " + std::to_string(status.destination_left_bytes) +
                                                       " bytes of the copy") +
             " (its previous content was replaced from the start, as cp does; --atomic keeps it on failure)";
    case DestinationLeft::range_partly_written:
      return "the range in " + dst + " was partly written; the rest of the file is unchanged";
    case DestinationLeft::foreign:
      return dst + " was changed by another writer during the copy and was left as it is";
    case DestinationLeft::unknown: break;
  }
  return request.atomic ? "nothing was published" : "";
}

int run(const CpOptions& o) {
  CopyRequest request;
  request.source = o.source;
  request.destination = resolve_destination(o.source, o.destination);
  request.method = *parse_method_choice(o.method);
  request.atomic = o.atomic;
  request.overwrite = o.overwrite;
  request.source_offset = size_option(o.source_offset, "--source-offset");
  request.destination_offset = size_option(o.destination_offset, "--destination-offset");
  if (!o.length.empty()) request.length = size_option(o.length, "--length");

  RunOptions options;
  options.iscsi = o.iscsi;
  options.engine.queue_depth = o.queue_depth;
  options.engine.copy_depth = o.copy_depth;
  options.engine.host_chunk_bytes = size_option(o.host_chunk, "--host-chunk");
  // One buffer per operation in flight: keep the total allocatable.
  constexpr std::uint64_t kMaxBufferBytes = 4ULL << 30;
  if (options.engine.host_chunk_bytes < 512 || options.engine.host_chunk_bytes > 1ULL << 30) {
    throw CLI::ValidationError("--host-chunk", "'" + o.host_chunk + "' must be between 512 B and 1 GiB");
  }
  if (options.engine.host_chunk_bytes * o.queue_depth > kMaxBufferBytes) {
    throw CLI::ValidationError("--host-chunk", "--queue-depth " + std::to_string(o.queue_depth) + " buffers of " +
                                                   o.host_chunk + " need more than 4 GiB of memory");
  }
  options.show_progress = o.progress;
  auto result = run_copy(request, options);
  if (!result) {
    std::fprintf(stderr, "offload: %s\n", result.error().describe().c_str());
    return 1;
  }
  const CopyStatus& status = *result;
  if (o.json) std::printf("%s\n", status_json(status, request).dump(2).c_str());
  if (status.state != CopyState::done) {
    std::string left = what_was_left(status, request);
    std::fprintf(stderr, "offload: %s%s\n", status.error ? status.error->describe().c_str() : "copy did not finish",
                 left.empty() ? "" : ("; " + left).c_str());
    if (status.state != CopyState::cancelled) return 1;
    return 128 + (stop_signal() != 0 ? stop_signal() : SIGINT);  // the shell's code for a signal
  }
  if (o.json) return 0;
  fmt::print("{}\n", copy_summary_line(status));
  if (is_smb_filesystem(status.destination_fs)) {  // which SMB2 request carried each offload
    for (Method method : status.methods_used()) {
      if (std::string_view request = smb_request_of(method); !request.empty()) {
        fmt::print("smb: {} ran on the server as {}\n", method_name(method), request);
      }
    }
  }
  for (const FallbackRecord& fallback : status.fallbacks) {
    fmt::print("fallback: {} -> {} for {} in {} range(s) ({}){}\n", method_name(fallback.from), method_name(fallback.to),
               format_bytes(static_cast<double>(fallback.bytes)), fallback.ranges, errno_name(fallback.errno_value),
               fallback.detail.empty() ? "" : ": " + fallback.detail);
  }
  fmt::print("{}\n", data_path_line(status));
  return 0;
}

}  // namespace

Command add_cp_command(CLI::App& app) {
  auto options = std::make_shared<CpOptions>();
  CLI::App* cp = app.add_subcommand("cp", "Copy a file (or a range) through the copy-offload engine");
  cp->add_option("SRC", options->source, "Source file, iscsi://HOST:PORT/IQN/LUN, SCSI device /dev/sgN or /dev/sdX (SG_IO), or NVMe namespace /dev/nvmeXnY or /dev/ngXnY (passthrough)")->required();
  cp->add_option("DST", options->destination, "Destination file (or existing directory), iscsi://HOST:PORT/IQN/LUN, SCSI device /dev/sgN or /dev/sdX, or NVMe namespace /dev/nvmeXnY or /dev/ngXnY")->required();
  cp->add_option("--method,-m", options->method,
                 method_choice_list() + " (auto: clone -> kernel-copy -> host; scsi-xcopy -> scsi-odx -> host "
                                        "between LUNs, ODX where the LUNs list it; nvme-copy -> host between NVMe "
                                        "namespaces)")
      ->check(CLI::IsMember(method_choice_names()));
  cp->add_flag("--atomic", options->atomic, "Stage unnamed; publish under DST only on success");
  cp->add_flag("--overwrite", options->overwrite, "Allow replacing an existing DST");
  cp->add_flag("--progress", options->progress, "Show progress on stderr");
  cp->add_flag("--json", options->json, "Print the final status as JSON");
  cp->add_option("--source-offset", options->source_offset, "First source byte (size, e.g. 4KiB)");
  cp->add_option("--destination-offset", options->destination_offset, "Where that byte lands in DST");
  cp->add_option("--length", options->length, "Bytes to copy (default: to the end of SRC)");
  cp->add_option("--queue-depth", options->queue_depth, "Operations in flight")->check(CLI::Range(1U, 256U));
  cp->add_option("--copy-depth", options->copy_depth, "Operations in flight for this copy (0 = queue depth)")
      ->check(CLI::Range(0U, 256U));
  cp->add_option("--host-chunk", options->host_chunk, "Bytes per host read/write");
  cp->add_option("--iscsi-connect-timeout", options->iscsi.connect_s, "Seconds for the TCP connection to an iSCSI portal")
      ->check(CLI::Range(0.001, 86400.0));
  cp->add_option("--iscsi-login-timeout", options->iscsi.login_s, "Seconds for the iSCSI login once connected")
      ->check(CLI::Range(0.001, 86400.0));
  cp->add_option("--iscsi-command-timeout", options->iscsi.command_s, "Seconds per SCSI command on an iSCSI LUN (whole seconds)")
      ->check(CLI::Range(1.0, 86400.0));
  return [options] { return run(*options); };
}

}  // namespace offload::cli
