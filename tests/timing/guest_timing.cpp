// Timed copies and model inputs inside the QEMU guests, for the simulated vs
// real comparison on remote paths (bench/guest_model_vs_real.sh). Built
// static (the guests have no libraries). Every result is one line
// "OFFLOAD-TIMING {json}" on stdout (the guest's console).
//   guest_timing probe --netns P --server IP [--disk PATH] [--bytes 64MiB] --rate LABEL
//   guest_timing nfs --mount M --export E --sizes 4MiB,16MiB --repeat N --rate LABEL
//       host, nfs-copy-sync and nfs-copy-async on the NFSv4.2 mount: the Linux
//       client sends a COPY synchronously when it asks for at most 2 x rsize
//       bytes (so the engine's copy_file_range chunk picks the mode)
//   guest_timing iscsi --url iscsi://IP:PORT/IQN --sizes ... --repeat N --rate LABEL
//       host and scsi-xcopy from LUN 0 to LUN 1
//   guest_timing fill --path P --bytes N   a pseudo-random pattern, flushed
// Each copy: caches dropped, then submit -> done -> destination fsync'd
// (files) is the time; repetitions interleave the methods.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/file_check.hpp"
#include "engine/engine.hpp"
#include "engine/real_runtime.hpp"
#include "engine/targets/address_router.hpp"
#include "engine/targets/posix_file.hpp"
#include "engine/units.hpp"
#include "tests/nfs/mountstats.hpp"
#include "tests/timing/guest_probes.hpp"

namespace offload::timing {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

void emit(const json& record) {
  std::printf("OFFLOAD-TIMING %s\n", record.dump().c_str());
  std::fflush(stdout);
}

std::uint64_t size_or_die(const std::string& text) {
  auto bytes = parse_size_bytes(text);
  if (!bytes) throw CLI::ValidationError("size", text + ": " + bytes.error());
  return *bytes;
}

std::vector<std::uint64_t> sizes_or_die(const std::string& list) {
  std::vector<std::uint64_t> sizes;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) sizes.push_back(size_or_die(item));
  return sizes;
}

// rsize of the NFS mount at `mount` (/proc/mounts), 0 when not found.
std::uint64_t mount_rsize(const std::string& mount) {
  std::ifstream mounts("/proc/mounts");
  std::smatch found;
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(" " + mount + " ") != std::string::npos && std::regex_search(line, found, std::regex("rsize=(\\d+)"))) {
      return std::stoull(found[1]);
    }
  }
  return 0;
}

struct Timed {
  CopyStatus status;
  double seconds = 0;       // submit -> done (-> fsync)
  double open_seconds = 0;  // submit alone: opening both ends (iSCSI: login and discovery)
};

// One copy through `engine`, timed from submit to done (plus an fsync of a
// destination file, so its data is on the server's disk).
Timed timed_copy(TargetFactory& targets, const EngineConfig& config, CopyRequest request, bool fsync_destination) {
  RealRuntime runtime(8);
  Engine engine(runtime, targets, config);
  Timed t;
  auto start = Clock::now();
  auto cookie = engine.submit(request);
  t.open_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!cookie) {
    t.status.state = CopyState::failed;
    t.status.error = cookie.error();
    return t;
  }
  t.status = *engine.wait(*cookie);
  if (fsync_destination) {
    int fd = open(request.destination.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { fsync(fd); close(fd); }
  }
  t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return t;
}

json copy_record(const std::string& path, const std::string& method, std::uint64_t size, int rep,
                 const std::string& rate, const Timed& t) {
  return {{"kind", "copy"}, {"path", path}, {"method", method}, {"bytes", size}, {"rep", rep}, {"rate", rate},
          {"seconds", t.seconds}, {"open_seconds", t.open_seconds}, {"state", state_name(t.status.state)},
          {"methods_used", t.status.methods_used_text()}, {"operations", t.status.operations},
          {"error", t.status.error ? t.status.error->describe() : ""}};
}

int run_probe(const std::string& netns, const std::string& server, const std::string& disk, std::uint64_t bytes,
              const std::string& rate) {
  json record = {{"kind", "probe"}, {"rate", rate}, {"memcpy_Bps", memcpy_rate_Bps(bytes)}};
  auto tcp = tcp_rates(netns, server, bytes);
  if (!tcp) { std::fprintf(stderr, "guest_timing: %s\n", tcp.error().c_str()); return 1; }
  record["tcp_to_server_Bps"] = tcp->to_server_Bps;
  record["tcp_to_client_Bps"] = tcp->to_client_Bps;
  record["tcp_round_trip_s"] = tcp->round_trip_s;
  if (!disk.empty()) {
    auto rates = disk_rates(disk, bytes);
    if (!rates) { std::fprintf(stderr, "guest_timing: %s\n", rates.error().c_str()); return 1; }
    record["disk_write_Bps"] = rates->write_Bps;
    record["disk_read_Bps"] = rates->read_Bps;
  }
  emit(record);
  return 0;
}

int run_nfs(const std::string& mount, const std::string& exported, const std::vector<std::uint64_t>& sizes,
            int repeat, const std::string& rate) {
  std::uint64_t rsize = mount_rsize(mount);
  if (rsize == 0) { std::fprintf(stderr, "guest_timing: %s is not an NFS mount with rsize\n", mount.c_str()); return 1; }
  // The Linux client's rule (fs/nfs/nfs4file.c): COPY is synchronous when count <= 2 x rsize.
  std::uint64_t sync_chunk = std::min<std::uint64_t>(2 * rsize, 4ULL << 20);
  struct Variant { std::string label; MethodChoice choice; std::uint64_t kernel_chunk; };
  const std::vector<Variant> variants = {{"host", MethodChoice::host, 64ULL << 20},
                                         {"nfs-copy-sync", MethodChoice::kernel_copy, sync_chunk},
                                         {"nfs-copy-async", MethodChoice::kernel_copy, 64ULL << 20}};
  emit({{"kind", "nfs-mount"}, {"rsize", rsize}, {"sync_chunk", sync_chunk}, {"rate", rate}});
  int failures = 0;
  PosixFileFactory files;
  for (std::uint64_t size : sizes) {
    std::string source = "src-" + std::to_string(size);
    if (access((exported + "/" + source).c_str(), F_OK) != 0) {
      auto written = cli::write_pattern_file(exported + "/" + source, size, size);
      if (!written) { std::fprintf(stderr, "guest_timing: %s\n", written.error().c_str()); return 1; }
    }
    for (int rep = 0; rep < repeat; ++rep) {
      for (const auto& v : variants) {
        std::string destination = mount + "/dst-" + v.label;
        unlink(destination.c_str());
        drop_caches();
        auto before = offload::testing::read_mountstats(mount);
        EngineConfig config{.kernel_copy_chunk_bytes = v.kernel_chunk};
        Timed t = timed_copy(files, config, {.source = mount + "/" + source, .destination = destination, .method = v.choice}, true);
        auto after = offload::testing::read_mountstats(mount);
        json record = copy_record("nfs", v.label, size, rep, rate, t);
        if (before && after) {
          auto wire = after->since(*before);
          for (const char* op : {"READ", "WRITE", "COPY", "OFFLOAD_STATUS", "COMMIT"}) record["ops"][op] = wire.op(op).ops;
        }
        if (rep == 0 && t.status.state == CopyState::done) {  // every byte, once per method and size
          drop_caches();
          auto same = cli::files_equal(exported + "/" + source, destination, size);
          record["verified"] = static_cast<bool>(same);
        }
        failures += t.status.state != CopyState::done || record.value("verified", true) == false;
        emit(record);
        unlink(destination.c_str());
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

int run_iscsi(const std::string& url, const std::vector<std::uint64_t>& sizes, int repeat, const std::string& rate) {
  int failures = 0;
  AddressRouter targets;
  for (std::uint64_t size : sizes) {
    for (int rep = 0; rep < repeat; ++rep) {
      for (auto [label, choice] : {std::pair{"host", MethodChoice::host}, {"scsi-xcopy", MethodChoice::scsi_xcopy}}) {
        drop_caches();  // the target's backstore reads its disk
        Timed t = timed_copy(targets, {}, {.source = url + "/0", .destination = url + "/1", .length = size,
                                           .method = choice, .overwrite = true}, false);
        failures += t.status.state != CopyState::done;
        emit(copy_record("iscsi", label, size, rep, rate, t));
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace offload::timing

int main(int argc, char** argv) {
  using namespace offload::timing;
  CLI::App app{"Timed copies and model inputs inside the QEMU guests"};
  app.require_subcommand(1);
  std::string netns = "/run/netns/client", server = "10.9.0.1", disk, rate = "unthrottled", bytes = "64MiB";
  std::string mount, exported, sizes = "4MiB,16MiB,64MiB", url, path;
  int repeat = 5;
  auto* probe = app.add_subcommand("probe", "memcpy, TCP over the veth pair, a disk's direct I/O");
  probe->add_option("--netns", netns);
  probe->add_option("--server", server);
  probe->add_option("--disk", disk, "file or block device to write and read");
  probe->add_option("--bytes", bytes);
  probe->add_option("--rate", rate);
  auto* nfs = app.add_subcommand("nfs", "host vs synchronous and asynchronous NFSv4.2 COPY");
  nfs->add_option("--mount", mount)->required();
  nfs->add_option("--export", exported)->required();
  auto* iscsi = app.add_subcommand("iscsi", "host vs EXTENDED COPY between LUN 0 and LUN 1");
  iscsi->add_option("--url", url)->required();
  for (auto* copies : {nfs, iscsi}) {
    copies->add_option("--sizes", sizes);
    copies->add_option("--repeat", repeat)->check(CLI::Range(1, 1000));
    copies->add_option("--rate", rate, "label of the link rate, recorded with every copy");
  }
  auto* fill = app.add_subcommand("fill", "write a pseudo-random pattern and flush it");
  fill->add_option("--path", path)->required();
  fill->add_option("--bytes", bytes);
  CLI11_PARSE(app, argc, argv);
  try {
    if (*probe) return run_probe(netns, server, disk, size_or_die(bytes), rate);
    if (*nfs) return run_nfs(mount, exported, sizes_or_die(sizes), repeat, rate);
    if (*iscsi) return run_iscsi(url, sizes_or_die(sizes), repeat, rate);
    auto written = offload::cli::write_pattern_file(path, size_or_die(bytes), 7);
    sync();
    if (!written) { std::fprintf(stderr, "guest_timing: %s\n", written.error().c_str()); return 1; }
    return 0;
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "guest_timing: %s\n", e.what());
    return 2;
  }
}
