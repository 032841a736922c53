#include "cli/advise_smb_model.hpp"

#include <fmt/core.h>

#include "engine/units.hpp"

namespace offload::cli {

std::string smb_path_scenario_toml(const PathProbe& probe, const CalibrationFit& fit, const FsConstants& client,
                                   const NfsModelInputs& inputs, const std::vector<std::string>& sim_methods) {
  // The client reads and writes in rsize / wsize pieces (mount.cifs(8)); the model's 4 MiB when the mount gives none.
  constexpr std::uint64_t kSmbDefaultIo = 4 << 20;
  std::uint64_t max_read = probe.read_size > 0 ? probe.read_size : kSmbDefaultIo;
  std::uint64_t max_write = probe.write_size > 0 ? probe.write_size : max_read;
  std::string disk = "\"" + toml_rate(inputs.server_disk_Bps) + "\"";
  bool reflinks = probe.server_clone();
  std::string description = fmt::format("offload advise: {} -> {} on SMB {}, link {}", probe.source, probe.destination,
                                        probe.smb_dialect, bits_text(inputs.link_Bps));
  return remote_scenario_head("advise-smb", description, sim_methods) +
         remote_engine_toml(inputs, max_read) +
         remote_client_toml(fit, client) +
         fmt::format("[[smb_server]]\nname = \"server\"\ncores = {cores}\nmemcpy_bandwidth = {memcpy}\n"
                     "disk = {{ read = {disk}, write = {disk}, latency = \"0s\" }}\n"
                     "fs = {{ reflink = {reflinks}, copy_range_reflinks = {reflinks} }}\n"
                     "copy = {{ max_read = {max_read}, max_write = {max_write}, duplicate_extents = {reflinks} }}\n\n",
                     fmt::arg("cores", fit.cores), fmt::arg("memcpy", client_memcpy_toml(client)),
                     fmt::arg("disk", disk), fmt::arg("reflinks", reflinks ? "true" : "false"),
                     fmt::arg("max_read", max_read), fmt::arg("max_write", max_write)) +
         remote_link_and_copy_toml("server", "/share/advise-source", "/share/advise-copy", inputs);
}

}  // namespace offload::cli
