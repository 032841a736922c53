// One reader per scenario section: each reads one entry's table (the shared
// loop over entries is read_entries, sim/scenario/toml_fields.hpp) and
// checks what it refers to against what is declared before it.
#pragma once

#include <set>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/toml_fields.hpp"

namespace offload::sim::scenario_toml {

/// Names of the hosts, groups, NFS servers and arrays declared so far: one
/// namespace (links connect them); a second declaration of one is an error.
using DeclaredNames = std::set<std::string>;

/// A [[host]] (its disk, fs, CPU and stack tables included).
HostSpec read_host(Fields& f, const Entry& entry, DeclaredNames& names);
/// An [[nfs_server]] with its `copy` table.
NfsServerSpec read_nfs_server(Fields& f, const Entry& entry, DeclaredNames& names);
/// An [[smb_server]] with its `copy` table; its credits must carry
/// `engine`'s host chunks in flight (the model does not queue on credits).
SmbServerSpec read_smb_server(Fields& f, const Entry& entry, DeclaredNames& names, const EngineConfig& engine);
/// A [[scsi_array]] with its `copy` table.
ScsiArraySpec read_scsi_array(Fields& f, const Entry& entry, DeclaredNames& names);
/// An [[nvme_target]] with its `copy` and `fabric` tables.
NvmeTargetSpec read_nvme_target(Fields& f, const Entry& entry, DeclaredNames& names);
/// A [[link]] between two of `names`.
LinkSpec read_link(Fields& f, const Entry& entry, const DeclaredNames& names);

/// The names of `items` (servers, arrays, links).
template <typename Items>
std::set<std::string> names_of(const Items& items) {
  std::set<std::string> out;
  for (const auto& item : items) out.insert(item.name);
  return out;
}

/// A [[copy]] run by one of `s.hosts` between the endpoints declared:
/// `server_names` (NFS and SMB servers), `s.scsi_arrays` and `s.nvme_targets`.
CopySpec read_copy(Fields& f, const Entry& entry, const Scenario& s, const std::set<std::string>& server_names);
/// The [[fault]] entries of `root` into `s.faults`, in time order; each kind
/// names a target `s` declares and takes only its own keys.
void read_faults(const Value& root, Fields& top, Scenario& s);

}  // namespace offload::sim::scenario_toml
