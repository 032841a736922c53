// iSCSI connect and login never hang: a portal that accepts TCP but never
// answers the login, one whose accept queue is full (the SYN is dropped, so
// the TCP connect itself waits) and a closed port, all on loopback. Each
// fails within its time limit (plus a generous bound for a loaded machine),
// naming the phase, with libiscsi's own cause kept as the errno.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <future>

#include "engine/targets/address_router.hpp"
#include "engine/targets/iscsi_session.hpp"

namespace offload {
namespace {

// A bound for the whole connect: the limit under test is 1 s; a call still
// running after this long is hung, and the test says so instead of hanging.
constexpr auto kHangBound = std::chrono::seconds(60);

// A listening loopback socket on a free port; closed at the end of the test.
class Listener {
 public:
  explicit Listener(int backlog) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, backlog);
    socklen_t length = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() {
    for (int fd : extra_) close(fd);
    close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  [[nodiscard]] int port() const { return port_; }
  /// Fills the accept queue (never accepted): later SYNs are dropped by the kernel.
  void fill_queue(int connections) {
    for (int i = 0; i < connections; ++i) {
      int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = htons(static_cast<std::uint16_t>(port_));
      connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
      extra_.push_back(c);
    }
  }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> extra_;
};

IscsiAddress address_at(int port) { return *parse_iscsi_url("iscsi://127.0.0.1:" + std::to_string(port) + "/iqn.2026-01.test:silent/0"); }

IscsiConnectError connect_failure(const IscsiAddress& address, const IscsiTimeouts& limits) {
  auto attempt = std::async(std::launch::async, [&] { return IscsiSession::connect(address, limits); });
  if (attempt.wait_for(kHangBound) != std::future_status::ready) {
    ADD_FAILURE() << "IscsiSession::connect still running after " << kHangBound.count() << " s: it hangs";
    std::abort();  // a hung libiscsi call cannot be cancelled; stop rather than wait for ever
  }
  auto session = attempt.get();
  EXPECT_FALSE(session) << "a silent portal gave a session";
  return session ? IscsiConnectError{} : session.error();
}

TEST(IscsiTimeouts, SilentTargetFailsTheLoginPhase) {
  Listener silent(8);  // accepts TCP (the kernel completes the handshake), never answers
  auto error = connect_failure(address_at(silent.port()), {.connect_s = 5, .login_s = 1, .command_s = 5});
  EXPECT_EQ(error.errno_value, ETIMEDOUT);
  EXPECT_NE(error.message.find("login to iqn.2026-01.test:silent at 127.0.0.1:"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("no answer within 1 s"), std::string::npos) << error.message;
}

TEST(IscsiTimeouts, UnansweredSynFailsTheConnectPhase) {
  Listener full(0);
  full.fill_queue(4);  // backlog 0 holds one; the rest wait in SYN retransmission
  auto error = connect_failure(address_at(full.port()), {.connect_s = 1, .login_s = 1, .command_s = 5});
  EXPECT_EQ(error.errno_value, ETIMEDOUT);
  // Either the connect itself waited, or (a kernel that completed it) the login did: never a hang.
  bool phase_named = error.message.starts_with("connect to 127.0.0.1:") || error.message.starts_with("login to ");
  EXPECT_TRUE(phase_named) << error.message;
}

TEST(IscsiTimeouts, ClosedPortKeepsTheRefusal) {
  int port = 0;
  {
    Listener probe(1);  // a free port, closed again at the end of this block
    port = probe.port();
  }
  auto error = connect_failure(address_at(port), {});
  EXPECT_EQ(error.errno_value, ECONNREFUSED) << error.message;
  EXPECT_NE(error.message.find("connect to 127.0.0.1:" + std::to_string(port)), std::string::npos) << error.message;
}

TEST(IscsiTimeouts, TheRouterKeepsTheCauseAndTheLimits) {
  Listener silent(8);
  AddressRouter router(IscsiTimeouts{.connect_s = 5, .login_s = 1, .command_s = 5});
  std::string url = "iscsi://127.0.0.1:" + std::to_string(silent.port()) + "/iqn.2026-01.test:silent/0";
  auto opened = std::async(std::launch::async, [&] { return router.open({.source = url, .destination = url + "x"}); });
  ASSERT_EQ(opened.wait_for(kHangBound), std::future_status::ready) << "the router hangs on a silent portal";
  auto target = opened.get();
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().errno_value, ETIMEDOUT) << target.error().describe();
  EXPECT_NE(target.error().describe().find("login to"), std::string::npos) << target.error().describe();
}

}  // namespace
}  // namespace offload
