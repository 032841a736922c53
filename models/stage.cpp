#include "models/stage.hpp"

namespace offload::models {
namespace {

void pay_latency(const DiskModel& disk) {
  if (disk.latency_s() > 0) sg4::this_actor::sleep_for(disk.latency_s());
}

}  // namespace

void disk_to_peer(DiskModel& disk, CpuModel& cpu, double cpu_s, Network& network, sg4::Host* server,
                  sg4::Host* peer, double bytes, double wire_bytes, bool store_and_forward) {
  pay_latency(disk);
  auto io = disk.start(bytes, DiskOp::read);
  auto work = cpu.work_async(cpu_s);
  if (store_and_forward) io->wait();  // the whole request is read before its reply leaves
  auto data = network.send_async(server, peer, wire_bytes);
  io->wait();
  work->wait();
  data.wait();
}

void peer_to_disk(DiskModel& disk, CpuModel& cpu, double cpu_s, Network& network, sg4::Host* server,
                  sg4::Host* peer, double bytes, double wire_bytes, bool store_and_forward) {
  auto data = network.send_async(peer, server, wire_bytes);
  auto work = cpu.work_async(cpu_s);
  if (store_and_forward) data.wait();  // the whole request is received before it is written
  pay_latency(disk);
  auto io = disk.start(bytes, DiskOp::write);
  data.wait();
  io->wait();
  work->wait();
}

void disk_to_disk(DiskModel& from, DiskModel& to, CpuModel* cpu, double cpu_s, double bytes) {
  pay_latency(from);
  auto in = from.start(bytes, DiskOp::read);
  auto out = to.start(bytes, DiskOp::write);
  sg4::ExecPtr work = cpu != nullptr ? cpu->work_async(cpu_s) : nullptr;
  in->wait();
  out->wait();
  if (work) work->wait();
}

}  // namespace offload::models
