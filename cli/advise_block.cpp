#include "cli/advise_block.hpp"

#include <sys/sysmacros.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/core.h>

#include "engine/targets/nvme_ioctl_transport.hpp"
#include "engine/targets/nvme_transport.hpp"
#include "engine/targets/scsi_lun_profile.hpp"
#include "engine/targets/sg_io_transport.hpp"
#include "engine/units.hpp"

namespace offload::cli {
namespace {

namespace fs = std::filesystem;

std::string first_line(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The device's node opened through `Transport`, or nullptr with a finding `what` saying why not.
template <typename Transport>
std::unique_ptr<Transport> open_node(const std::string& node, const std::string& what, const std::string& interface,
                                     std::vector<ProbeFinding>& out) {
  auto transport = Transport::open(node);
  if (transport) return std::move(*transport);
  out.push_back({what, "not asked", interface + " open of " + node + ": " + transport.error().message});
  return nullptr;
}

void probe_scsi(const std::string& disk, const std::string& role, std::vector<ProbeFinding>& out) {
  std::string node = "/dev/" + disk;
  auto transport = open_node<SgIoTransport>(node, role + "SCSI LUN", "SG_IO", out);
  if (!transport) return;
  auto lun = discover_lun(*transport);
  if (!lun) {
    out.push_back({role + "SCSI LUN", "no answer", "SG_IO on " + node + ": " + lun.error()});
    return;
  }
  out.push_back({role + "SCSI LUN", lun->inquiry.vendor + " " + lun->inquiry.product,
                 fmt::format("SG_IO standard INQUIRY on {}: 3PC bit {}; VPD 0x8F {}", node,
                             lun->inquiry.third_party_copy ? 1 : 0, lun->third_party_copy ? "listed" : "absent")});
  std::string xcopy = lun->xcopy_unsupported_reason();
  out.push_back({role + "EXTENDED COPY",
                 xcopy.empty() ? "yes, up to " + format_bytes(static_cast<double>(lun->xcopy_max_bytes(2))) + " per command"
                               : "no",
                 xcopy.empty() ? "RECEIVE COPY RESULTS operating parameters (" + lun->copy_parameters_answer +
                                     "): segment and descriptor limits, 2 target descriptors"
                               : xcopy});
  std::string odx = lun->odx_unsupported_reason();
  out.push_back({role + "token copy (ODX)",
                 odx.empty() ? "yes, up to " + format_bytes(static_cast<double>(lun->odx_max_bytes())) + " per token" : "no",
                 odx.empty() ? "VPD 0x8F: POPULATE TOKEN, WRITE USING TOKEN listed; ROD token limits MAXIMUM TOKEN TRANSFER SIZE"
                             : odx});
}

void probe_nvme(const std::string& disk, const std::string& role, std::vector<ProbeFinding>& out) {
  std::string node = "/dev/" + disk;
  auto transport = open_node<NvmeIoctlTransport>(node, role + "NVMe namespace", "NVMe passthrough", out);
  if (!transport) return;
  auto controller = identify_controller(*transport);
  auto ns = identify_namespace(*transport);
  if (!controller || !ns) {
    out.push_back({role + "NVMe namespace", "no answer",
                   "Identify on " + node + ": " + (controller ? ns.error() : controller.error())});
    return;
  }
  bool usable = controller->copy_supported() && ns->mssrl > 0 && ns->mcl > 0;
  out.push_back({role + "NVMe Copy", usable ? "yes, up to " + format_bytes(static_cast<double>(ns->mcl) * ns->block_bytes()) +
                                                   " per command"
                                             : "no",
                 fmt::format("Identify on {} ({}): ONCS 0x{:04x} (bit 8 Copy {}), MSSRL {} MCL {} MSRC {} blocks of {} B",
                             node, controller->model, controller->oncs, controller->copy_supported() ? "set" : "clear",
                             ns->mssrl, ns->mcl, ns->msrc, ns->block_bytes())});
}

}  // namespace

std::string whole_disk_name(dev_t device) {
  std::error_code ec;
  fs::path sys = fs::canonical(fmt::format("/sys/dev/block/{}:{}", major(device), minor(device)), ec);
  if (ec) return "";
  if (fs::exists(sys / "partition", ec)) sys = sys.parent_path();
  return sys.filename().string();
}

std::vector<ProbeFinding> probe_block_device(dev_t device, const std::string& role) {
  std::vector<ProbeFinding> out;
  std::string disk = whole_disk_name(device);
  if (disk.empty()) return out;
  fs::path block = "/sys/block/" + disk;
  std::string how = fmt::format("/sys/dev/block/{}:{} -> {}", major(device), minor(device), disk);
  std::error_code ec;
  if (fs::exists(block / "loop", ec)) {
    out.push_back({role + "block device", disk + " (loop)",
                   how + "; backing file " + first_line(block / "loop" / "backing_file") +
                       ": no copy offload command (the backing file's filesystem does the copying)"});
  } else if (disk.compare(0, 4, "nvme") == 0) {
    out.push_back({role + "block device", disk + " (NVMe)", how});
    probe_nvme(disk, role, out);
  } else if (fs::exists(block / "device" / "scsi_device", ec) || fs::exists(block / "device" / "scsi_disk", ec)) {
    out.push_back({role + "block device", disk + " (SCSI)", how});
    probe_scsi(disk, role, out);
  } else {
    out.push_back({role + "block device", disk, how + ": neither SCSI nor NVMe: no copy offload command"});
  }
  return out;
}

}  // namespace offload::cli
