#include "cli/advise_remote_model.hpp"

#include <fmt/core.h>

#include "cli/advise_link.hpp"
#include "engine/engine.hpp"
#include "engine/units.hpp"

namespace offload::cli {

std::string remote_scenario_head(const std::string& name, const std::string& description,
                                 const std::vector<std::string>& sim_methods) {
  std::string methods;
  for (const auto& m : sim_methods) methods += (methods.empty() ? "\"" : ", \"") + m + "\"";
  return fmt::format("[scenario]\nname = \"{}\"\ndescription = \"{}\"\nnetwork_model = \"CM02\"\nmethods = [{}]\n\n",
                     name, description, methods);
}

std::string remote_engine_toml(const NfsModelInputs& inputs, std::uint64_t host_chunk_bytes) {
  EngineConfig engine;
  return fmt::format("[engine]\nqueue_depth = {}\ncopy_depth = {}\nhost_chunk = {}\nkernel_copy_chunk = {}\n\n",
                     inputs.queue_depth, engine.copy_depth, host_chunk_bytes, engine.kernel_copy_chunk_bytes);
}

std::string client_memcpy_toml(const FsConstants& client) {
  return "\"" + toml_rate(client.memcpy_Bps > 0 ? client.memcpy_Bps : 8e9) + "\"";
}

std::string remote_client_toml(const CalibrationFit& fit, const FsConstants& client) {
  return fmt::format("[[host]]\nname = \"client\"\ncores = {}\ncore_speed = {:.6g}\nmemcpy_bandwidth = {}\n"
                     "per_op_cpu = \"{}\"\n\n",
                     fit.cores, client.core_speed, client_memcpy_toml(client), toml_duration(fit.per_op_s));
}

std::string remote_link_and_copy_toml(const std::string& server, const std::string& source, const std::string& copy,
                                      const NfsModelInputs& inputs) {
  return fmt::format(
      "[[link]]\nname = \"lan\"\nbandwidth = \"{rate}\"\nlatency = \"{latency}\"\nbetween = [\"client\", \"{server}\"]\n\n"
      "[[copy]]\non = \"client\"\nfrom = \"{server}:{source}\"\nto = \"{server}:{copy}\"\nsize = {size}\n\n"
      "[sweep]\n\"copy.1.size\" = [{size}]\n\"engine.queue_depth\" = [{qd}]\n",
      fmt::arg("rate", toml_rate(inputs.link_Bps)), fmt::arg("latency", toml_duration(inputs.link_latency_s > 0 ? inputs.link_latency_s : kAssumedLinkLatency_s)),
      fmt::arg("server", server), fmt::arg("source", source), fmt::arg("copy", copy),
      fmt::arg("size", inputs.size_bytes), fmt::arg("qd", inputs.queue_depth));
}

}  // namespace offload::cli
