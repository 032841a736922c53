// `offload advise` on a remote path: the network link the copy's traffic
// crosses. The server's address (a network mount's "addr=" option) is routed
// with the kernel's own lookup (rtnetlink RTM_GETROUTE, rtnetlink(7)); the
// interface's line rate is /sys/class/net/IF/speed (Mb/s, sysfs-class-net);
// a token bucket shaping that interface (tc-tbf(8): the qdiscs of
// RTM_GETQDISC, TCA_TBF_PARMS / TCA_TBF_RATE64) caps it further.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace offload::cli {

/// One rate limit a qdisc puts on an interface.
struct QdiscRate {
  std::string kind;           ///< "tbf"
  std::uint32_t handle = 0;   ///< the qdisc's handle (major << 16)
  double rate_Bps = 0;        ///< its rate (bytes/s)
};

/// What the path to one server address crosses.
struct LinkProbe {
  std::string address;          ///< the server's address ("10.9.0.1")
  std::string interface;        ///< the interface the route leaves by ("" when the lookup failed)
  std::string route_how;        ///< how the interface was found, or why not
  double line_rate_Bps = 0;     ///< /sys/class/net/IF/speed (bytes/s; 0 = unknown)
  std::string line_rate_how;    ///< the file and its content, or why unknown
  std::vector<QdiscRate> shaping;  ///< rate-limiting qdiscs on the interface
  std::string shaping_how;      ///< how the qdiscs were read
  /// The slowest of the line rate and the shaping rates (bytes/s; 0 = unknown).
  [[nodiscard]] double rate_Bps() const;
};

/// A link rate in bits per second for people: "1 Gb/s", "100 Mb/s", "2.5 Gb/s".
std::string bits_text(double bytes_per_s);

/// Routes `address` (IPv4 or IPv6 literal) and reads the interface's rates.
LinkProbe probe_link(const std::string& address);

/// The rate-limiting qdiscs of interface `ifindex` from an RTM_NEWQDISC dump
/// (the bytes the kernel returned: a sequence of netlink messages).
std::vector<QdiscRate> qdisc_rates(const std::vector<std::uint8_t>& dump, int ifindex);

}  // namespace offload::cli
