#include "cli/advise_link.hpp"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include <fmt/core.h>


namespace offload::cli {
namespace {

// A netlink request: header, fixed part, then attributes.
struct Request {
  std::vector<std::uint8_t> bytes;
  Request(std::uint16_t type, std::uint16_t flags, const void* fixed, std::size_t fixed_bytes) {
    bytes.resize(NLMSG_LENGTH(fixed_bytes));
    auto* header = reinterpret_cast<nlmsghdr*>(bytes.data());
    header->nlmsg_type = type;
    header->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    header->nlmsg_seq = 1;
    std::memcpy(NLMSG_DATA(header), fixed, fixed_bytes);
    header->nlmsg_len = static_cast<std::uint32_t>(bytes.size());
  }
  void attribute(std::uint16_t type, const void* data, std::size_t length) {
    std::size_t at = NLMSG_ALIGN(bytes.size());
    bytes.resize(at + RTA_SPACE(length));
    auto* rta = reinterpret_cast<rtattr*>(bytes.data() + at);
    rta->rta_type = type;
    rta->rta_len = static_cast<std::uint16_t>(RTA_LENGTH(length));
    std::memcpy(RTA_DATA(rta), data, length);
    reinterpret_cast<nlmsghdr*>(bytes.data())->nlmsg_len = static_cast<std::uint32_t>(bytes.size());
  }
};

// Sends `request` on a NETLINK_ROUTE socket; the replies' bytes until
// NLMSG_DONE (a dump) or the first reply, or the errno name.
std::string exchange(const Request& request, bool dump, std::vector<std::uint8_t>& replies) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return std::string("netlink socket: ") + strerrorname_np(errno);
  std::string error;
  if (send(fd, request.bytes.data(), request.bytes.size(), 0) < 0) error = std::string("send: ") + strerrorname_np(errno);
  std::vector<std::uint8_t> buffer(1 << 16);
  for (bool done = !error.empty(); !done;) {
    ssize_t got = recv(fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) {
      error = std::string("recv: ") + (got < 0 ? strerrorname_np(errno) : "closed");
      break;
    }
    auto left = static_cast<int>(got);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE) done = true;
      if (h->nlmsg_type == NLMSG_ERROR) {
        int code = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        if (code != 0) error = strerrorname_np(code);
        done = true;
      }
    }
    replies.insert(replies.end(), buffer.begin(), buffer.begin() + got);
    if (!dump) done = true;
  }
  close(fd);
  return error;
}

// The output interface of the kernel's route to `address`, or why none.
std::optional<int> route_interface(const std::string& address, std::string& how) {
  rtmsg route{};
  std::uint8_t destination[16];
  if (inet_pton(AF_INET, address.c_str(), destination) == 1) {
    route.rtm_family = AF_INET;
    route.rtm_dst_len = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), destination) == 1) {
    route.rtm_family = AF_INET6;
    route.rtm_dst_len = 128;
  } else {
    how = "not an IP address: " + address;
    return std::nullopt;
  }
  Request request(RTM_GETROUTE, 0, &route, sizeof route);
  request.attribute(RTA_DST, destination, route.rtm_family == AF_INET ? 4 : 16);
  std::vector<std::uint8_t> reply;
  std::string error = exchange(request, false, reply);
  auto left = static_cast<int>(reply.size());
  for (auto* h = reinterpret_cast<nlmsghdr*>(reply.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type != RTM_NEWROUTE) continue;
    auto* r = static_cast<rtmsg*>(NLMSG_DATA(h));
    int length = static_cast<int>(RTM_PAYLOAD(h));
    for (auto* a = RTM_RTA(r); RTA_OK(a, length); a = RTA_NEXT(a, length)) {
      if (a->rta_type == RTA_OIF) return *static_cast<int*>(RTA_DATA(a));
    }
  }
  how = "route lookup (RTM_GETROUTE) of " + address + ": " + (error.empty() ? "no output interface" : error);
  return std::nullopt;
}

void read_line_rate(LinkProbe& link) {
  std::string path = "/sys/class/net/" + link.interface + "/speed";
  std::ifstream in(path);
  long megabits = -1;
  if (!(in >> megabits)) {
    link.line_rate_how = path + ": no speed (the driver reports none, e.g. loopback)";
  } else if (megabits <= 0) {
    link.line_rate_how = fmt::format("{}: {} (unknown)", path, megabits);
  } else {
    link.line_rate_Bps = static_cast<double>(megabits) * 1e6 / 8;
    link.line_rate_how = fmt::format("{}: {} (Mb/s)", path, megabits);
  }
}

}  // namespace

std::string bits_text(double bytes_per_s) {
  double bits = bytes_per_s * 8;
  if (bits >= 1e9) return fmt::format("{:.3g} Gb/s", bits / 1e9);
  if (bits >= 1e6) return fmt::format("{:.3g} Mb/s", bits / 1e6);
  return fmt::format("{:.3g} kb/s", bits / 1e3);
}

double LinkProbe::rate_Bps() const {
  double rate = line_rate_Bps;
  for (const auto& q : shaping) {
    if (q.rate_Bps > 0 && (rate <= 0 || q.rate_Bps < rate)) rate = q.rate_Bps;
  }
  return rate;
}

std::vector<QdiscRate> qdisc_rates(const std::vector<std::uint8_t>& dump, int ifindex) {
  std::vector<QdiscRate> rates;
  auto left = static_cast<int>(dump.size());
  for (auto* h = reinterpret_cast<const nlmsghdr*>(dump.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type != RTM_NEWQDISC) continue;
    const auto* tc = static_cast<const tcmsg*>(NLMSG_DATA(h));
    if (tc->tcm_ifindex != ifindex) continue;
    QdiscRate q{"", tc->tcm_handle, 0};
    const rtattr* options = nullptr;
    int length = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(tcmsg)));
    for (auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(tc) + NLMSG_ALIGN(sizeof(tcmsg)));
         RTA_OK(a, length); a = RTA_NEXT(a, length)) {
      if (a->rta_type == TCA_KIND) q.kind = static_cast<const char*>(RTA_DATA(a));
      if (a->rta_type == TCA_OPTIONS) options = a;
    }
    if (q.kind != "tbf" || options == nullptr) continue;
    int inner = static_cast<int>(RTA_PAYLOAD(options));
    for (auto* a = static_cast<const rtattr*>(RTA_DATA(options)); RTA_OK(a, inner); a = RTA_NEXT(a, inner)) {
      if (a->rta_type == TCA_TBF_PARMS && RTA_PAYLOAD(a) >= sizeof(tc_tbf_qopt) && q.rate_Bps == 0) {
        q.rate_Bps = static_cast<const tc_tbf_qopt*>(RTA_DATA(a))->rate.rate;
      }
      if (a->rta_type == TCA_TBF_RATE64 && RTA_PAYLOAD(a) >= sizeof(std::uint64_t)) {
        std::uint64_t rate64 = 0;
        std::memcpy(&rate64, RTA_DATA(a), sizeof rate64);  // only sent when the rate exceeds 32 bits
        q.rate_Bps = static_cast<double>(rate64);
      }
    }
    if (q.rate_Bps > 0) rates.push_back(q);
  }
  return rates;
}

LinkProbe probe_link(const std::string& address) {
  LinkProbe link;
  link.address = address;
  auto ifindex = route_interface(address, link.route_how);
  if (!ifindex) return link;
  char name[IF_NAMESIZE] = {};
  link.interface = if_indextoname(static_cast<unsigned>(*ifindex), name) != nullptr ? name : std::to_string(*ifindex);
  link.route_how = fmt::format("route lookup (RTM_GETROUTE) of {}: leaves by {} (ifindex {})", address, link.interface, *ifindex);
  read_line_rate(link);
  tcmsg dump_all{};
  dump_all.tcm_family = AF_UNSPEC;
  dump_all.tcm_ifindex = *ifindex;
  std::vector<std::uint8_t> dump;
  std::string error = exchange(Request(RTM_GETQDISC, NLM_F_DUMP, &dump_all, sizeof dump_all), true, dump);
  link.shaping = qdisc_rates(dump, *ifindex);
  if (!error.empty()) {
    link.shaping_how = "qdisc dump (RTM_GETQDISC): " + error;
  } else if (link.shaping.empty()) {
    link.shaping_how = "qdisc dump (RTM_GETQDISC) of " + link.interface + ": no tbf rate limit";
  } else {
    link.shaping_how = "qdisc dump (RTM_GETQDISC) of " + link.interface + ":";
    for (const auto& q : link.shaping) {
      link.shaping_how += fmt::format(" {} {:x}: rate {}", q.kind, q.handle >> 16, bits_text(q.rate_Bps));
    }
  }
  return link;
}

}  // namespace offload::cli
