#include "tests/timing/guest_probes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace offload::timing {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() { if (fd >= 0) close(fd); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Moves exactly `bytes` through `fd` (send or receive) in 1 MiB pieces.
bool move_all(int fd, std::uint64_t bytes, bool sending) {
  std::vector<char> buffer(1 << 20, 'x');
  while (bytes > 0) {
    std::size_t piece = std::min<std::uint64_t>(buffer.size(), bytes);
    ssize_t n = sending ? send(fd, buffer.data(), piece, MSG_NOSIGNAL) : recv(fd, buffer.data(), piece, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes -= static_cast<std::uint64_t>(n);
  }
  return true;
}

constexpr int kPings = 200;
constexpr std::size_t kPingBytes = 64;

// The child's side: enter the namespace, connect, send, receive + ack, echo pings.
[[noreturn]] void client_side(const std::string& netns_path, const sockaddr_in& address, std::uint64_t bytes) {
  int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(2);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) _exit(3);
  if (!move_all(fd, bytes, true) || !move_all(fd, bytes, false) || !move_all(fd, 1, true)) _exit(4);
  for (int i = 0; i < kPings; ++i) {
    if (!move_all(fd, kPingBytes, false) || !move_all(fd, kPingBytes, true)) _exit(5);
  }
  close(fd);
  _exit(0);
}

}  // namespace

double memcpy_rate_Bps(std::uint64_t bytes) {
  std::vector<char> from(bytes, 1), to(bytes, 2);  // written once: faulted in
  std::vector<double> rates;
  for (int run = 0; run < 5; ++run) {
    auto start = Clock::now();
    std::memcpy(to.data(), from.data(), bytes);
    double seconds = since(start);
    from[run] = to[bytes - 1 - run];  // keep the copy observable
    rates.push_back(static_cast<double>(bytes) / seconds);
  }
  return median(rates);
}

std::expected<TcpRates, std::string> tcp_rates(const std::string& netns_path, const std::string& server_ip,
                                               std::uint64_t bytes) {
  Fd listener{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (inet_pton(AF_INET, server_ip.c_str(), &address.sin_addr) != 1) return std::unexpected("bad address " + server_ip);
  if (bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener.fd, 1) != 0) {
    return std::unexpected(os_error("listen on " + server_ip));
  }
  socklen_t length = sizeof address;
  getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &length);
  pid_t child = fork();
  if (child < 0) return std::unexpected(os_error("fork"));
  if (child == 0) client_side(netns_path, address, bytes);

  TcpRates rates;
  Fd peer{accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC)};
  int one = 1;
  setsockopt(peer.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto start = Clock::now();
  bool ok = peer.fd >= 0 && move_all(peer.fd, bytes, false);
  rates.to_server_Bps = static_cast<double>(bytes) / since(start);
  start = Clock::now();
  ok = ok && move_all(peer.fd, bytes, true) && move_all(peer.fd, 1, false);  // the child's ack: all arrived
  rates.to_client_Bps = static_cast<double>(bytes) / since(start);
  std::vector<double> pings;
  for (int i = 0; ok && i < kPings; ++i) {
    start = Clock::now();
    ok = move_all(peer.fd, kPingBytes, true) && move_all(peer.fd, kPingBytes, false);
    pings.push_back(since(start));
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return std::unexpected("the TCP probe's client in " + netns_path + " failed (exit " +
                           std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  rates.round_trip_s = median(pings);
  return rates;
}

std::expected<DiskRates, std::string> disk_rates(const std::string& path, std::uint64_t bytes) {
  constexpr std::size_t kBlock = 1 << 20;
  void* raw = nullptr;
  if (posix_memalign(&raw, 4096, kBlock) != 0) return std::unexpected("out of memory");
  std::unique_ptr<void, decltype(&std::free)> buffer(raw, &std::free);
  std::memset(raw, 0x5a, kBlock);
  DiskRates rates;
  {
    Fd fd{open(path.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644)};
    if (fd.fd < 0) return std::unexpected(os_error("open " + path));
    auto start = Clock::now();
    for (std::uint64_t done = 0; done < bytes; done += kBlock) {
      if (pwrite(fd.fd, raw, kBlock, static_cast<off_t>(done)) != static_cast<ssize_t>(kBlock)) {
        return std::unexpected(os_error("write " + path));
      }
    }
    fsync(fd.fd);
    rates.write_Bps = static_cast<double>(bytes) / since(start);
  }
  drop_caches();
  Fd fd{open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC)};
  if (fd.fd < 0) return std::unexpected(os_error("open " + path));
  auto start = Clock::now();
  for (std::uint64_t done = 0; done < bytes; done += kBlock) {
    if (pread(fd.fd, raw, kBlock, static_cast<off_t>(done)) != static_cast<ssize_t>(kBlock)) {
      return std::unexpected(os_error("read " + path));
    }
  }
  rates.read_Bps = static_cast<double>(bytes) / since(start);
  return rates;
}

void drop_caches() {
  sync();
  std::ofstream("/proc/sys/vm/drop_caches") << "3\n";
}

}  // namespace offload::timing
