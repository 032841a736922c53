#include "cli/advise_nfs_model.hpp"

#include <fmt/core.h>

#include "engine/engine.hpp"
#include "engine/units.hpp"

namespace offload::cli {

std::string nfs_sim_method(const std::string& method) { return method == "kernel-copy" ? "nfs-copy-sync" : method; }

std::string nfs_path_scenario_toml(const PathProbe& probe, const CalibrationFit& fit, const FsConstants& client,
                                   const NfsModelInputs& inputs, const std::vector<std::string>& sim_methods) {
  EngineConfig engine;
  // The client reads and writes in rsize pieces (nfs(5)); the engine's own chunk when the mount gives none.
  std::uint64_t chunk = probe.read_size > 0 ? probe.read_size : engine.host_chunk_bytes;
  std::string disk = "\"" + toml_rate(inputs.server_disk_Bps) + "\"";
  std::string description = fmt::format("offload advise: {} -> {} on NFS {}, link {}", probe.source, probe.destination,
                                        probe.nfs_version, bits_text(inputs.link_Bps));
  return remote_scenario_head("advise-nfs", description, sim_methods) +
         remote_engine_toml(inputs, chunk) +
         remote_client_toml(fit, client) +
         fmt::format("[[nfs_server]]\nname = \"server\"\ncores = {cores}\nmemcpy_bandwidth = {memcpy}\n"
                     "disk = {{ read = {disk}, write = {disk}, latency = \"0s\" }}\n"
                     "copy = {{ sync_cap = \"4MiB\", clone = {clone} }}\n\n",
                     fmt::arg("cores", fit.cores), fmt::arg("memcpy", client_memcpy_toml(client)),
                     fmt::arg("disk", disk), fmt::arg("clone", probe.clone_works ? "true" : "false")) +
         remote_link_and_copy_toml("server", "/advise/source", "/advise/copy", inputs);
}

}  // namespace offload::cli
