// `offload advise` on a remote path, the parts that need no NFS server: the
// tbf rate read from a netlink qdisc dump (rtnetlink(7), tc-tbf(8)), the
// route lookup on this machine's loopback, the round trip's timing, the NFS and SMB scenarios the
// probe builds (read back by the scenario loader), what the SMB probe's
// counters allow, and the network-bound reason.
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include <gtest/gtest.h>

#include "cli/advise_answer.hpp"
#include "cli/advise_link.hpp"
#include "cli/advise_nfs_model.hpp"
#include "cli/advise_round_trip.hpp"
#include "cli/advise_smb_model.hpp"
#include "sim/scenario/scenario.hpp"

namespace offload::cli {
namespace {

// Appends one attribute (type, payload) at the end of `bytes`, aligned.
std::size_t add_attribute(std::vector<std::uint8_t>& bytes, std::uint16_t type, const void* data, std::size_t length) {
  std::size_t at = NLMSG_ALIGN(bytes.size());
  bytes.resize(at + RTA_SPACE(length));
  rtattr header{static_cast<std::uint16_t>(RTA_LENGTH(length)), type};
  std::memcpy(bytes.data() + at, &header, sizeof header);
  if (length > 0) std::memcpy(bytes.data() + at + RTA_LENGTH(0), data, length);
  return at;
}

// One RTM_NEWQDISC message of kind `kind` on `ifindex`, with a tbf rate (and its 64-bit form when given).
std::vector<std::uint8_t> qdisc_message(int ifindex, const char* kind, std::uint32_t rate, std::uint64_t rate64 = 0) {
  std::vector<std::uint8_t> m(NLMSG_LENGTH(sizeof(tcmsg)));
  tcmsg tc{};
  tc.tcm_ifindex = ifindex;
  tc.tcm_handle = 0x80010000;
  std::memcpy(m.data() + NLMSG_HDRLEN, &tc, sizeof tc);
  add_attribute(m, TCA_KIND, kind, std::strlen(kind) + 1);
  std::size_t options = add_attribute(m, TCA_OPTIONS, nullptr, 0);
  tc_tbf_qopt parameters{};
  parameters.rate.rate = rate;
  add_attribute(m, TCA_TBF_PARMS, &parameters, sizeof parameters);
  if (rate64 != 0) add_attribute(m, TCA_TBF_RATE64, &rate64, sizeof rate64);
  auto options_length = static_cast<std::uint16_t>(m.size() - options);
  std::memcpy(m.data() + options, &options_length, sizeof options_length);
  nlmsghdr header{static_cast<std::uint32_t>(m.size()), RTM_NEWQDISC, NLM_F_MULTI, 1, 0};
  std::memcpy(m.data(), &header, sizeof header);
  return m;
}

TEST(AdviseLink, ReadsTheTbfRateOfTheRoutedInterfaceOnly) {
  std::vector<std::uint8_t> dump;
  for (const auto& m : {qdisc_message(3, "tbf", 6'250'000), qdisc_message(4, "tbf", 125'000),
                        qdisc_message(3, "pfifo_fast", 1), qdisc_message(3, "tbf", 0xffffffff, 5'000'000'000ULL)}) {
    dump.insert(dump.end(), m.begin(), m.end());
  }
  auto rates = qdisc_rates(dump, 3);
  ASSERT_EQ(rates.size(), 2U);  // not ifindex 4, not the pfifo_fast
  EXPECT_EQ(rates[0].kind, "tbf");
  EXPECT_EQ(rates[0].handle >> 16, 0x8001U);
  EXPECT_DOUBLE_EQ(rates[0].rate_Bps, 6.25e6);
  EXPECT_DOUBLE_EQ(rates[1].rate_Bps, 5e9);  // TCA_TBF_RATE64 beyond 32 bits
  LinkProbe link;
  link.line_rate_Bps = 1.25e9;
  link.shaping = rates;
  EXPECT_DOUBLE_EQ(link.rate_Bps(), 6.25e6);
  EXPECT_EQ(bits_text(link.rate_Bps()), "50 Mb/s");
  EXPECT_EQ(bits_text(1.25e8), "1 Gb/s");
}

TEST(AdviseLink, RoutesLoopbackThroughLo) {
  LinkProbe lo = probe_link("127.0.0.1");
  EXPECT_EQ(lo.interface, "lo") << lo.route_how;
  EXPECT_NE(lo.route_how.find("RTM_GETROUTE"), std::string::npos);
  EXPECT_NE(lo.shaping_how.find("RTM_GETQDISC"), std::string::npos);
  LinkProbe bad = probe_link("server.example");
  EXPECT_EQ(bad.interface, "");
  EXPECT_EQ(bad.route_how, "not an IP address: server.example");
}

TEST(AdviseRoundTrip, MedianMinAndMaxOfTheTimedRequests) {
  RoundTrip odd = summarise_round_trips({0.003, 0.001, 0.009, 0.002, 0.004}, "five");
  EXPECT_DOUBLE_EQ(odd.median_s, 0.003);
  EXPECT_DOUBLE_EQ(odd.min_s, 0.001);
  EXPECT_DOUBLE_EQ(odd.max_s, 0.009);
  EXPECT_EQ(odd.samples_s.front(), 0.003);  // kept in the order timed
  EXPECT_EQ(odd.how, "five");
  EXPECT_DOUBLE_EQ(summarise_round_trips({0.004, 0.001, 0.002, 0.008}, "four").median_s, 0.003);
  EXPECT_THROW(summarise_round_trips({}, "none"), std::invalid_argument);
}

TEST(AdviseRoundTrip, TimesStatfsOrSaysWhyNot) {
  RoundTrip here = probe_round_trip("/tmp");
  ASSERT_EQ(here.samples_s.size(), kRoundTripSamples) << here.how;
  EXPECT_GT(here.median_s, 0);
  EXPECT_LE(here.min_s, here.median_s);
  EXPECT_LE(here.median_s, here.max_s);
  EXPECT_NE(here.how.find("statfs(2) on /tmp, median of 9"), std::string::npos) << here.how;
  RoundTrip missing = probe_round_trip("/nonexistent/offload-advise");
  EXPECT_EQ(missing.median_s, 0);
  EXPECT_TRUE(missing.samples_s.empty());
  EXPECT_EQ(missing.how, "not measured: statfs(2) on /nonexistent/offload-advise failed: No such file or directory");
}

TEST(AdviseNfsModel, TheScenarioCarriesTheProbedLinkAndServerAnswers) {
  PathProbe probe;
  probe.source = "/mnt/nfs/a";
  probe.destination = "/mnt/nfs/b";
  probe.nfs_version = "4.2";
  probe.read_size = 262144;
  probe.clone_works = true;
  CalibrationFit fit;
  fit.cores = 2;
  fit.per_op_s = 3e-6;
  FsConstants client;
  client.memcpy_Bps = 4e9;
  client.core_speed = 0.5;
  std::string text = nfs_path_scenario_toml(probe, fit, client, {64 << 20, 8, 6.25e6, 1e9, 0.004},
                                            {"clone", nfs_sim_method("kernel-copy"), "host"});
  sim::ScenarioSet set = sim::load_scenario_text(text, "advise-nfs");
  ASSERT_EQ(set.points.size(), 1U);
  const sim::Scenario& s = set.points.front();
  ASSERT_EQ(s.links.size(), 1U);
  EXPECT_NEAR(s.links[0].bandwidth_Bps, 6.25e6, 6.25e6 * 1e-5);  // six digits in the TOML
  EXPECT_NEAR(s.links[0].latency_s, 0.004, 1e-9);                 // half the probed round trip
  EXPECT_EQ(s.engine.host_chunk_bytes, probe.read_size);           // host copies in rsize READs
  // Without a measured round trip: a LAN's latency.
  std::string unmeasured = nfs_path_scenario_toml(probe, fit, client, {64 << 20, 8, 6.25e6, 1e9},
                                                  {"clone", nfs_sim_method("kernel-copy"), "host"});
  EXPECT_NEAR(sim::load_scenario_text(unmeasured, "advise-nfs").points.front().links[0].latency_s,
              kAssumedLinkLatency_s, 1e-12);
  ASSERT_EQ(s.methods.size(), 3U);
  EXPECT_EQ(s.methods[1].label, "nfs-copy-sync");
  ASSERT_EQ(s.nfs_servers.size(), 1U);
  ASSERT_EQ(s.copies.size(), 1U);
  EXPECT_DOUBLE_EQ(s.copies[0].size_bytes, 64.0 * (1 << 20));
}

// An SMB probe: copy_file_range and FICLONERANGE worked; `copy_ioctls` / `clone_ioctls` answered (Stats).
PathProbe smb_probe(unsigned long copy_ioctls, unsigned long clone_ioctls) {
  PathProbe probe;
  probe.source = "/mnt/smb/a";
  probe.destination = "/mnt/smb/b";
  probe.network_fs = "cifs";
  probe.same_fs = true;
  probe.smb_dialect = "3.1.1";
  probe.read_size = 4194304;
  probe.write_size = 1048576;
  probe.clone_works = true;
  probe.copy_range = CopyRangeBehaviour::copies;
  probe.smb_copy_ioctls = copy_ioctls;
  probe.smb_clone_ioctls = clone_ioctls;
  return probe;
}

TEST(AdviseSmbModel, ServerSideMethodsOnlyWhenTheServerAnsweredTheProbes) {
  EXPECT_TRUE(smb_probe(2, 1).server_copy());
  EXPECT_TRUE(smb_probe(2, 1).server_clone());
  // copy_file_range worked but no IOCTL was answered: the client copied it with READ and WRITE.
  EXPECT_FALSE(smb_probe(0, 0).server_copy());
  EXPECT_FALSE(smb_probe(0, 0).server_clone());
  PathProbe refused = smb_probe(2, 0);
  refused.clone_works = false;  // ksmbd on ext4: EOPNOTSUPP
  EXPECT_TRUE(refused.server_copy());
  EXPECT_FALSE(refused.server_clone());
}

TEST(AdviseSmbModel, TheScenarioCarriesTheMountsSizesAndTheShareFilesystem) {
  CalibrationFit fit;
  fit.cores = 2;
  FsConstants client;
  client.memcpy_Bps = 4e9;
  client.core_speed = 0.5;
  for (bool clones : {true, false}) {
    PathProbe probe = smb_probe(2, clones ? 1 : 0);
    std::vector<std::string> methods{"kernel-copy", "host"};
    if (clones) methods.insert(methods.begin(), "clone");
    sim::ScenarioSet set = sim::load_scenario_text(
        smb_path_scenario_toml(probe, fit, client, {32 << 20, 8, 6.25e6, 1e9}, methods), "advise-smb");
    ASSERT_EQ(set.points.size(), 1U);
    const sim::Scenario& s = set.points.front();
    ASSERT_EQ(s.smb_servers.size(), 1U);
    const models::SmbServerSpec& server = s.smb_servers.front();
    EXPECT_DOUBLE_EQ(server.copy.max_read_bytes, 4194304);
    EXPECT_DOUBLE_EQ(server.copy.max_write_bytes, 1048576);
    EXPECT_EQ(server.fs.reflink, clones);
    EXPECT_EQ(server.fs.copy_range_reflinks, clones);
    EXPECT_EQ(server.copy.duplicate_extents, clones);
    ASSERT_EQ(s.links.size(), 1U);
    EXPECT_NEAR(s.links[0].bandwidth_Bps, 6.25e6, 6.25e6 * 1e-5);
    EXPECT_EQ(s.methods.size(), methods.size());
    ASSERT_EQ(s.copies.size(), 1U);
    EXPECT_DOUBLE_EQ(s.copies[0].size_bytes, 32.0 * (1 << 20));
  }
}

MethodPrediction over_link(const std::string& method, double seconds, double link_bytes) {
  MethodPrediction p;
  p.method = method;
  p.seconds = seconds;
  p.link_bytes = link_bytes;
  p.rms_error = -1;
  return p;
}

TEST(AdviseNfsModel, NetworkBoundReasonNamesTheRateTheShareAndTheGain) {
  PathProbe probe;
  probe.network_fs = "nfs4";
  probe.same_fs = true;
  probe.nfs_version = "4.2";
  AdviceModel model;
  model.remote.link_Bps = 6.25e6;  // 50 Mb/s
  // 64 MiB each way at 6.25 MB/s is 10.7 s: the host copy's 11 s are the link's.
  model.predictions = {over_link("kernel-copy", 0.5, 8192), over_link("host", 11.0, 2.0 * (64 << 20))};
  Recommendation r = recommend(probe, model);
  EXPECT_EQ(r.method, "kernel-copy");
  EXPECT_EQ(r.reason, "kernel-copy: network-bound at 50 Mb/s: server-side copy moves 0.0061 % of the bytes over the "
                      "link (8.00 KiB vs 128 MiB host), 500 ms vs 11 s host: 22x faster, saves 10.5 s");
  model.remote.link_Bps = 1.25e9;  // 10 Gb/s: the host copy is no longer the link's
  r = recommend(probe, model);
  EXPECT_EQ(r.method, "kernel-copy");
  EXPECT_EQ(r.reason.find("network-bound"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason, "kernel-copy: server-side COPY on NFS 4.2, the data stays on the server, 500 ms vs 11 s host: "
                      "22x faster, saves 10.5 s");
  // The same on SMB names copychunk and the dialect.
  r = recommend(smb_probe(2, 0), model);
  EXPECT_NE(r.reason.find("server-side copychunk on SMB 3.1.1"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace offload::cli
