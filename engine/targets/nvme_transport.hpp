// How the NVMe namespace target reaches one namespace: submission queue
// entries with data out or in, whatever carries them (Linux passthrough
// ioctls for /dev/nvmeXnY and /dev/ngXnY, engine/targets/
// nvme_ioctl_transport.hpp; a fake in the tests; a simulated controller).
// Identify, Read, Write, Flush and Copy see only this interface.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>

#include "engine/nvme/command.hpp"
#include "engine/nvme/identify.hpp"

namespace offload {

/// What one NVMe command came back with.
struct NvmeOutcome {
  std::uint16_t status = 0;       ///< completion Status Field (engine/nvme/status.hpp); 0 = success
  std::string transport_error;    ///< why the command did not complete (transport's words)
  int transport_errno = 0;        ///< errno for a transport error (0 = EIO)
  /// True on Successful Completion.
  [[nodiscard]] bool good() const { return status == 0 && transport_error.empty(); }
  /// True when the controller answered Invalid Command Opcode.
  [[nodiscard]] bool invalid_opcode() const;
  /// One line: "success", the status's name, or the transport error.
  [[nodiscard]] std::string describe() const;
  /// errno for the engine: 0 on success, nvme::errno_for(status), or the transport's errno.
  [[nodiscard]] int to_errno() const;
};

/// One namespace reached through some transport.
class NvmeTransport {
 public:
  virtual ~NvmeTransport() = default;
  /// The address as given (messages name it).
  [[nodiscard]] virtual std::string address() const = 0;
  /// Short kind shown as the target's filesystem column ("nvme").
  [[nodiscard]] virtual std::string kind() const { return "nvme"; }
  /// The namespace identifier commands carry.
  [[nodiscard]] virtual std::uint32_t namespace_id() const = 0;
  /// False when Read/Write data is not real bytes (a simulated controller):
  /// the target then asks the engine for no host buffers.
  [[nodiscard]] virtual bool carries_data() const { return true; }
  /// Runs one admin command, receiving into `data_in` (may be empty).
  virtual NvmeOutcome admin(const nvme::Command& command, std::span<std::uint8_t> data_in) = 0;
  /// Runs one I/O command: sends `data_out` or receives into `data_in` (either may be empty).
  virtual NvmeOutcome io(const nvme::Command& command, std::span<const std::uint8_t> data_out,
                         std::span<std::uint8_t> data_in) = 0;
};

/// Identify Controller through `transport`; the error names the address and the cause.
std::expected<nvme::ControllerIdentity, std::string> identify_controller(NvmeTransport& transport);
/// Identify Namespace of the transport's namespace; the error names the address and the cause.
std::expected<nvme::NamespaceIdentity, std::string> identify_namespace(NvmeTransport& transport);

}  // namespace offload
