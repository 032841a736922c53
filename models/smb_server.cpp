#include "models/smb_server.hpp"

#include <algorithm>
#include <cmath>

#include "models/stage.hpp"

namespace offload::models {

ChunkShape client_chunk_shape(const SmbCopySpec& copy) { return {copy.client_chunks, copy.client_chunk_bytes}; }

ChunkShape server_chunk_shape(const SmbCopySpec& copy) {
  double chunk = std::min(copy.client_chunk_bytes, copy.max_chunk_bytes);
  int by_total = static_cast<int>(std::max(1.0, std::floor(copy.max_request_bytes / chunk)));
  return {std::min({copy.client_chunks, copy.max_chunks, by_total}), std::min(chunk, copy.max_request_bytes)};
}

namespace {

bool within_limits(const ChunkShape& shape, const SmbCopySpec& copy) {
  return shape.chunks <= copy.max_chunks && shape.chunk_bytes <= copy.max_chunk_bytes &&
         shape.chunks * shape.chunk_bytes <= copy.max_request_bytes;
}

}  // namespace

SmbServer::SmbServer(const SmbServerSpec& spec, sg4::Host* host, Network& network)
    : spec_(spec), cpu_(host, spec.cpu), disk_(host, spec.name + "-disk", spec.disk), network_(network) {}

void SmbServer::exchange(sg4::Host* client, double request_bytes, double server_cpu_s, double response_bytes) {
  network_.send(client, host(), request_bytes);
  cpu_.work_async(spec_.copy.request_cpu_s + server_cpu_s)->wait();
  network_.send(host(), client, response_bytes);
}

void SmbServer::read(sg4::Host* client, double bytes) {
  for (double done = 0; done < bytes;) {
    double piece = std::min(spec_.copy.max_read_bytes, bytes - done);
    ++counters_.reads;
    network_.send(client, host(), smb_message_bytes(SmbRequest::read, false));
    disk_to_peer(disk_, cpu_, spec_.copy.request_cpu_s + cpu_.copy_cost_s(piece), network_, host(), client, piece,
                 piece + smb_message_bytes(SmbRequest::read, true));
    done += piece;
  }
}

void SmbServer::write(sg4::Host* client, double bytes) {
  for (double done = 0; done < bytes;) {
    double piece = std::min(spec_.copy.max_write_bytes, bytes - done);
    ++counters_.writes;
    peer_to_disk(disk_, cpu_, spec_.copy.request_cpu_s + cpu_.copy_cost_s(piece), network_, host(), client, piece,
                 piece + smb_message_bytes(SmbRequest::write, false));
    network_.send(host(), client, smb_message_bytes(SmbRequest::write, true));
    done += piece;
  }
}

void SmbServer::round_trip(sg4::Host* client, SmbRequest request) {
  exchange(client, smb_message_bytes(request, false), 0, smb_message_bytes(request, true));
}

void SmbServer::metadata_exchanges(sg4::Host* client) {
  const int exchanges = spec_.copy.metadata_exchanges;
  const int trips = exchanges > 0 ? std::max(1, spec_.copy.metadata_round_trips) : spec_.copy.metadata_round_trips;
  for (int i = 0; i < trips; ++i) {
    // The exchanges riding in round trip i: spread evenly, none when there are more round trips.
    int riding = exchanges * (i + 1) / trips - exchanges * i / trips;
    ++counters_.metadata_round_trips;
    if (riding == 0) {
      round_trip(client, SmbRequest::close);
      continue;
    }
    counters_.metadata += riding;
    exchange(client, riding * smb_message_bytes(SmbRequest::metadata, false), (riding - 1) * spec_.copy.request_cpu_s,
             riding * smb_message_bytes(SmbRequest::metadata, true));
  }
}

void SmbServer::copy_chunk(double bytes) {
  if (spec_.fs.reflink && spec_.fs.copy_range_reflinks) {  // vfs_copy_file_range remaps (XFS, btrfs)
    cpu_.work_async(clone_cost_s(bytes))->wait();
    return;
  }
  double cpu_s = spec_.fs.kernel_copy_Bps > 0 ? bytes / spec_.fs.kernel_copy_Bps : cpu_.copy_cost_s(bytes, 0);
  disk_to_disk(disk_, disk_, &cpu_, cpu_s, bytes);
}

double SmbServer::copychunk(sg4::Host* client, double bytes) {
  ++counters_.resume_keys;
  round_trip(client, SmbRequest::resume_key);
  const SmbCopySpec& copy = spec_.copy;
  ChunkShape shape = client_learned_limits_ ? server_chunk_shape(copy) : client_chunk_shape(copy);
  if (!within_limits(shape, copy)) {
    // STATUS_INVALID_PARAMETER with the server's limits in the response (MS-SMB2 3.3.5.15.6).
    ++counters_.copychunk_requests;
    ++counters_.refused;
    exchange(client, smb_message_bytes(SmbRequest::copychunk, false, shape.chunks), 0,
             smb_message_bytes(SmbRequest::copychunk, true));
    client_learned_limits_ = true;
    shape = server_chunk_shape(copy);
  }
  for (double done = 0; done < bytes;) {
    int chunks = static_cast<int>(std::min<double>(shape.chunks, std::ceil((bytes - done) / shape.chunk_bytes)));
    double request_bytes = std::min(chunks * shape.chunk_bytes, bytes - done);
    ++counters_.copychunk_requests;
    counters_.chunks += chunks;
    network_.send(client, host(), smb_message_bytes(SmbRequest::copychunk, false, chunks));
    cpu_.work_async(copy.request_cpu_s)->wait();
    for (int i = 0; i < chunks; ++i) copy_chunk(std::min(shape.chunk_bytes, request_bytes - i * shape.chunk_bytes));
    network_.send(host(), client, smb_message_bytes(SmbRequest::copychunk, true));
    done += request_bytes;
  }
  return bytes;
}

bool SmbServer::duplicate_extents(sg4::Host* client, double bytes) {
  ++counters_.duplicate_extents;
  bool ok = spec_.copy.duplicate_extents && spec_.fs.reflink;
  exchange(client, smb_message_bytes(SmbRequest::duplicate_extents, false), ok ? clone_cost_s(bytes) : 0,
           smb_message_bytes(SmbRequest::duplicate_extents, true));
  return ok;
}

}  // namespace offload::models
