#include "engine/targets/nvme_transport.hpp"

#include <cerrno>

#include "engine/nvme/status.hpp"

namespace offload {
namespace {

// Runs Identify with `cns` and decodes it with `decode`.
template <class Decode>
auto identify(NvmeTransport& transport, nvme::Cns cns, std::uint32_t nsid, Decode decode, const char* what)
    -> std::expected<std::remove_reference_t<decltype(*decode(nvme::Bytes{}))>, std::string> {
  nvme::Bytes data(nvme::kIdentifyBytes, 0);
  NvmeOutcome outcome = transport.admin(nvme::identify_command(static_cast<std::uint8_t>(cns), nsid), data);
  if (!outcome.good()) return std::unexpected(std::string(what) + ": " + outcome.describe());
  auto decoded = decode(data);
  if (!decoded) return std::unexpected(decoded.error().describe());
  return *decoded;
}

}  // namespace

bool NvmeOutcome::invalid_opcode() const {
  return transport_error.empty() && nvme::is_invalid_opcode(nvme::decode_status(status));
}

std::string NvmeOutcome::describe() const {
  if (!transport_error.empty()) return "transport error: " + transport_error;
  return status == 0 ? "success" : nvme::describe(nvme::decode_status(status));
}

int NvmeOutcome::to_errno() const {
  if (!transport_error.empty()) return transport_errno != 0 ? transport_errno : EIO;
  return nvme::errno_for(nvme::decode_status(status));
}

std::expected<nvme::ControllerIdentity, std::string> identify_controller(NvmeTransport& transport) {
  return identify(transport, nvme::Cns::controller, 0,
                  [](const nvme::Bytes& data) { return nvme::decode_identify_controller(data); }, "Identify Controller");
}

std::expected<nvme::NamespaceIdentity, std::string> identify_namespace(NvmeTransport& transport) {
  return identify(transport, nvme::Cns::namespace_data, transport.namespace_id(),
                  [](const nvme::Bytes& data) { return nvme::decode_identify_namespace(data); }, "Identify Namespace");
}

}  // namespace offload
