#include "models/cpu.hpp"

namespace offload::models {

sg4::ExecPtr CpuModel::work_async(double cpu_seconds) {
  busy_s_ += cpu_seconds;
  return sg4::this_actor::exec_init(cpu_seconds * kFlopsPerCpuSecond)->set_host(host_)->start();
}

}  // namespace offload::models
