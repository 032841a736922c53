#include "cli/advise_nfs_model.hpp"

#include <fmt/core.h>

#include "engine/engine.hpp"
#include "engine/units.hpp"

namespace offload::cli {

std::string nfs_sim_method(const std::string& method) { return method == "kernel-copy" ? "nfs-copy-sync" : method; }

std::string nfs_path_scenario_toml(const PathProbe& probe, const CalibrationFit& fit, const FsConstants& client,
                                   const NfsModelInputs& inputs, const std::vector<std::string>& sim_methods) {
  std::string methods;
  for (const auto& m : sim_methods) methods += (methods.empty() ? "\"" : ", \"") + m + "\"";
  EngineConfig engine;
  // The client reads and writes in rsize pieces (nfs(5)); the engine's own chunk when the mount gives none.
  std::uint64_t chunk = probe.read_size > 0 ? probe.read_size : engine.host_chunk_bytes;
  std::string rate = "\"" + toml_rate(inputs.link_Bps) + "\"";
  std::string disk = "\"" + toml_rate(inputs.server_disk_Bps) + "\"";
  std::string memcpy = "\"" + toml_rate(client.memcpy_Bps > 0 ? client.memcpy_Bps : 8e9) + "\"";
  return fmt::format(
      "[scenario]\n"
      "name = \"advise-nfs\"\n"
      "description = \"offload advise: {source} -> {destination} on NFS {version}, link {link}\"\n"
      "network_model = \"CM02\"\n"
      "methods = [{methods}]\n\n"
      "[engine]\n"
      "queue_depth = {qd}\n"
      "copy_depth = {copy_depth}\n"
      "host_chunk = {chunk}\n"
      "kernel_copy_chunk = {kernel_chunk}\n\n"
      "[[host]]\n"
      "name = \"client\"\n"
      "cores = {cores}\n"
      "core_speed = {speed:.6g}\n"
      "memcpy_bandwidth = {memcpy}\n"
      "per_op_cpu = \"{per_op}\"\n\n"
      "[[nfs_server]]\n"
      "name = \"server\"\n"
      "cores = {cores}\n"
      "memcpy_bandwidth = {memcpy}\n"
      "disk = {{ read = {disk}, write = {disk}, latency = \"0s\" }}\n"
      "copy = {{ sync_cap = \"4MiB\", clone = {clone} }}\n\n"
      "[[link]]\n"
      "name = \"lan\"\n"
      "bandwidth = {rate}\n"
      "latency = \"{latency}\"\n"
      "between = [\"client\", \"server\"]\n\n"
      "[[copy]]\n"
      "on = \"client\"\n"
      "from = \"server:/advise/source\"\n"
      "to = \"server:/advise/copy\"\n"
      "size = {size}\n\n"
      "[sweep]\n"
      "\"copy.1.size\" = [{size}]\n"
      "\"engine.queue_depth\" = [{qd}]\n",
      fmt::arg("source", probe.source), fmt::arg("destination", probe.destination),
      fmt::arg("version", probe.nfs_version), fmt::arg("link", bits_text(inputs.link_Bps)), fmt::arg("methods", methods),
      fmt::arg("qd", inputs.queue_depth), fmt::arg("copy_depth", engine.copy_depth), fmt::arg("chunk", chunk),
      fmt::arg("kernel_chunk", engine.kernel_copy_chunk_bytes), fmt::arg("cores", fit.cores),
      fmt::arg("speed", client.core_speed), fmt::arg("memcpy", memcpy), fmt::arg("per_op", toml_duration(fit.per_op_s)),
      fmt::arg("disk", disk), fmt::arg("clone", probe.clone_works ? "true" : "false"), fmt::arg("rate", rate),
      fmt::arg("latency", toml_duration(kNfsLinkLatency_s)), fmt::arg("size", inputs.size_bytes));
}

}  // namespace offload::cli
