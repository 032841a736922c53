// The scenario loader: values, defaults, sweeps, and errors that name the
// file, the line and the key.
#include <gtest/gtest.h>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_checks.hpp"

namespace offload::sim {
namespace {

const std::string kValid = R"([scenario]
name = "s"
methods = ["host", "nfs-copy-async"]

[[host]]
name = "client"
count = 3
nic = "10Gbps"

[[nfs_server]]
name = "filer"
disk = { read = "2GBps", write = "1GBps", latency = "100us" }

[[link]]
name = "lan"
bandwidth = "25Gbps"
latency = "50us"
between = ["client", "filer"]

[[copy]]
on = "client"
from = "filer:/a"
to = "filer:/b"
size = "40GiB"

[sweep]
"link.lan.bandwidth" = ["1Gbps", "100Gbps"]
"nfs_server.filer.disk.read" = ["1GBps", "3GBps", "5GBps"]
)";

// Replaces the first occurrence of `from` in the valid scenario.
std::string with(const std::string& from, const std::string& to) {
  std::string text = kValid;
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    load_scenario_text(text, "bad.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(Scenario, ReadsValuesWithUnits) {
  auto set = load_scenario_text(kValid, "ok.toml");
  ASSERT_EQ(set.points.size(), 6U);
  const Scenario& s = set.points[0];
  EXPECT_EQ(s.hosts[0].count, 3);
  EXPECT_DOUBLE_EQ(*s.hosts[0].nic_Bps, 1.25e9);
  EXPECT_DOUBLE_EQ(s.nfs_servers[0].disk.latency_s, 100e-6);
  EXPECT_DOUBLE_EQ(s.copies[0].size_bytes, 40.0 * (1ULL << 30));
  ASSERT_EQ(s.methods.size(), 2U);
  EXPECT_EQ(s.methods[1].choice, MethodChoice::kernel_copy);
  EXPECT_EQ(s.methods[1].nfs_async, true);
  EXPECT_EQ(s.network_model, "LV08");
}

TEST(Scenario, SweepsExpandInFileOrderLastFastest) {
  auto set = load_scenario_text(kValid, "ok.toml");
  ASSERT_EQ(set.sweep_keys, (std::vector<std::string>{"link.lan.bandwidth", "nfs_server.filer.disk.read"}));
  EXPECT_DOUBLE_EQ(set.points[0].links[0].bandwidth_Bps, 1.25e8);
  EXPECT_DOUBLE_EQ(set.points[0].nfs_servers[0].disk.read_Bps, 1e9);
  EXPECT_DOUBLE_EQ(set.points[1].nfs_servers[0].disk.read_Bps, 3e9);
  EXPECT_DOUBLE_EQ(set.points[3].links[0].bandwidth_Bps, 1.25e10);
  EXPECT_EQ(set.points[5].point.at("nfs_server.filer.disk.read"), "5GBps");
}

struct BadCase {
  const char* what;
  std::string text;
  std::vector<std::string> wanted;  // every piece must be in the message
};
// Readable in gtest's test list and failure messages (not the struct's bytes).
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, IsRejectedWithFileLineAndKey) {
  std::string error = error_of(GetParam().text);
  ASSERT_FALSE(error.empty()) << GetParam().what << " was accepted";
  for (const auto& piece : GetParam().wanted) EXPECT_NE(error.find(piece), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, BadScenario,
    ::testing::Values(
        BadCase{"unknown key", with("count = 3", "count = 3\nnick = \"10Gbps\""), {"bad.toml:8", "unknown key 'nick'", "[[host]]", "known: buffer_fault_bandwidth, core_speed, cores"}},
        BadCase{"wrong type", with("count = 3", "count = \"three\""), {"bad.toml:7", "'count'", "integer"}},
        BadCase{"bad unit", with("\"10Gbps\"", "\"10Gbs\""), {"bad.toml:8", "'nic'", "10Gbs"}},
        BadCase{"dangling link end", with("between = [\"client\", \"filer\"]", "between = [\"client\", \"filler\"]"),
                {"bad.toml:18", "'between'", "'filler'"}},
        BadCase{"dangling server", with("from = \"filer:/a\"", "from = \"nas:/a\""), {"bad.toml:22", "'from'", "'nas'"}},
        BadCase{"dangling host", with("on = \"client\"", "on = \"server\""), {"'on'", "'server'"}},
        BadCase{"unknown method", with("\"nfs-copy-async\"", "\"teleport\""), {"bad.toml:3", "'teleport'"}},
        BadCase{"nvme copy needs an NVMe target", with("\"nfs-copy-async\"", "\"nvme-copy\""), {"bad.toml:3", "needs an [[nvme_target]]", "this platform has none"}},
        BadCase{"missing size", with("size = \"40GiB\"", ""), {"missing key 'size'"}},
        BadCase{"negative count", with("count = 3", "count = -3"), {"'count'", "out of range"}},
        BadCase{"sweep of nothing", with("\"link.lan.bandwidth\"", "\"link.wan.bandwidth\""), {"[sweep]", "'wan'"}},
        BadCase{"sweep bad value", with("\"1Gbps\", \"100Gbps\"", "\"1Gbps\", \"fast\""), {"'bandwidth'", "fast"}},
        BadCase{"syntax", with("name = \"s\"", "name = \"s"), {"bad.toml:2", "syntax"}},
        BadCase{"duplicate name", with("[[nfs_server]]", "[[host]]\nname = \"client\"\n\n[[nfs_server]]"), {"bad.toml:11", "'client'", "declared twice"}},
        BadCase{"no workload", kValid.substr(0, kValid.find("[[copy]]")), {"no [[copy]]"}}),
    [](const auto& info) {
      std::string name = info.param.what;
      for (char& c : name) if (c == ' ') c = '_';
      return name;
    });

// A sweep's points are the product of its value counts; one that cannot be
// meant is refused before any point is built, naming the key that takes it
// over kMaxSweepPoints and the axes so far (fuzz/scenario_fuzz.cpp spent
// seconds per input expanding sweeps of tens of thousands of points).
std::string values(int n, const std::string& unit) {
  std::string list;
  for (int i = 1; i <= n; ++i) list += (i > 1 ? ", " : "") + std::string("\"") + std::to_string(i) + unit + "\"";
  return "[" + list + "]";
}

TEST(Scenario, HugeSweepIsRefusedNamingTheKey) {
  std::string sweep = "[sweep]\n\"link.lan.bandwidth\" = " + values(100, "Gbps") + "\n\"link.lan.latency\" = " +
                      values(100, "us") + "\n\"nfs_server.filer.disk.read\" = " + values(100, "GBps") +
                      "\n\"nfs_server.filer.disk.write\" = " + values(100, "GBps") + "\n";
  std::string text = kValid.substr(0, kValid.find("[sweep]")) + sweep;
  std::string error = error_of(text);
  EXPECT_NE(error.find("bad.toml:29: [sweep] key 'nfs_server.filer.disk.read'"), std::string::npos) << error;
  EXPECT_NE(error.find("100 ('link.lan.bandwidth') x 100 ('link.lan.latency') x 100 ('nfs_server.filer.disk.read')"
                       " = 1000000 or more points, more than 10000"), std::string::npos) << error;
  // Exactly at the limit it loads: 100 x 100 points.
  std::string at_limit = kValid.substr(0, kValid.find("[sweep]")) + "[sweep]\n\"link.lan.bandwidth\" = " +
                         values(100, "Gbps") + "\n\"link.lan.latency\" = " + values(100, "us") + "\n";
  EXPECT_EQ(load_scenario_text(at_limit, "ok.toml").points.size(), kMaxSweepPoints);
}

// Found by fuzz/scenario_fuzz.cpp: bare numbers skipped the unit parsers'
// checks (NaN, infinity, negative sizes, a zero bandwidth were accepted).
TEST(Scenario, BareNumbersAreCheckedLikeQuantitiesWithUnits) {
  EXPECT_NE(error_of(with("size = \"40GiB\"", "size = nan")).find("key 'size': a size must be a finite number"), std::string::npos);
  EXPECT_NE(error_of(with("size = \"40GiB\"", "size = -4096")).find("not negative"), std::string::npos);
  EXPECT_NE(error_of(with("size = \"40GiB\"", "size = 1e30")).find("below 2^64"), std::string::npos);
  EXPECT_NE(error_of(with("nic = \"10Gbps\"", "nic = 0")).find("key 'nic': a rate must be above zero"), std::string::npos);
  EXPECT_NE(error_of(with("latency = \"50us\"", "latency = inf")).find("key 'latency'"), std::string::npos);
  EXPECT_NE(error_of(with("latency = \"50us\"", "latency = \"1e308h\"")).find("too large"), std::string::npos);
  auto ok = load_scenario_text(with("size = \"40GiB\"", "size = 4096"), "ok.toml");
  EXPECT_EQ(ok.points[0].copies[0].size_bytes, 4096);
}

TEST(Scenario, WriteShareIsAShareStrictlyBetweenZeroAndOne) {
  std::string local = "[scenario]\nname = \"w\"\nmethods = [\"host\"]\n[[host]]\nname = \"box\"\n"
                      "disk = { read = \"1GBps\", write = \"1GBps\" }\nfs = { reflink = false, write_share = SHARE }\n"
                      "[[copy]]\non = \"box\"\nfrom = \"local:/a\"\nto = \"local:/b\"\nsize = \"1MiB\"\n";
  auto share = [&](const std::string& v) { std::string t = local; return t.replace(t.find("SHARE"), 5, v); };
  EXPECT_NE(error_of(share("1.0")).find("key 'write_share': must lie between 0 and 1"), std::string::npos) << error_of(share("1.0"));
  EXPECT_NE(error_of(share("0.0")).find("key 'write_share'"), std::string::npos);
  EXPECT_NE(error_of(share("\"half\"")).find("key 'write_share': expected a number"), std::string::npos);
  EXPECT_DOUBLE_EQ(load_scenario_text(share("0.7"), "ok.toml").points[0].hosts[0].fs.write_share, 0.7);
}

// Found by fuzz/scenario_fuzz.cpp: invalid UTF-8 inside a literal string made
// toml11 read out of bounds; such text is refused before toml11 sees it.
TEST(Scenario, InvalidUtf8IsRefusedWithItsLine) {
  std::string bad = with("name = \"client\"", "name = 'cli\xC3(ent'");
  EXPECT_NE(error_of(bad).find("bad.toml:6: not valid UTF-8"), std::string::npos) << error_of(bad);
  EXPECT_NE(error_of("a = 'x\xED\xA0\x80'").find("not valid UTF-8"), std::string::npos);  // a surrogate
  EXPECT_NE(error_of("a = 'x\xF0\x9F'").find("not valid UTF-8"), std::string::npos);     // cut short
  // Well-formed UTF-8 goes on to the loader (here: no [scenario]).
  EXPECT_EQ(error_of("# ünï € 😀\n").find("UTF-8"), std::string::npos);
}

// A FIFO would block the read: refused before opening.
TEST(Scenario, NonRegularFileIsRefused) {
  try {
    load_scenario_file("/dev/null");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/null: not a regular file"), std::string::npos) << e.what();
  }
}

TEST(Scenario, MissingFileIsAClearError) {
  try {
    load_scenario_file("/nonexistent/s.toml");
    FAIL() << "no error";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/s.toml: cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace offload::sim

namespace offload::sim {
namespace {

// Names the simulator derives clash with declared ones: one line naming the
// file, both lines and the SimGrid name, never a SimGrid backtrace.
TEST(ScenarioNames, DerivedNamesMustNotClash) {
  std::string second_link = R"(
[[link]]
name = "lan"
bandwidth = "1Gbps"
between = ["client", "filer"]
)";
  std::string text = with("[[copy]]", second_link + "\n[[copy]]");
  EXPECT_NE(error_of(text).find("[[link]] 'lan': the SimGrid link name 'lan' is already taken by [[link]] 'lan'"),
            std::string::npos) << error_of(text);
  // A link named like the NIC link the platform derives for member client-1.
  text = with("name = \"lan\"", "name = \"client-1-nic\"");
  text.replace(text.find("\"link.lan.bandwidth\""), 20, "\"link.client-1-nic.bandwidth\"");
  EXPECT_NE(error_of(text).find("the SimGrid link name 'client-1-nic' is already taken by [[host]] 'client' (member "
                                "'client-1')'s NIC link (line 5)"), std::string::npos) << error_of(text);
  // A host named like a member of the group "client" (count = 3).
  text = with("[[nfs_server]]", "[[host]]\nname = \"client-2\"\n\n[[nfs_server]]");
  std::string error = error_of(text);
  EXPECT_NE(error.find("bad.toml:10: [[host]] 'client-2': the SimGrid host name 'client-2' is already taken by "
                       "[[host]] 'client' (member 'client-2') (line 5)"), std::string::npos) << error;
  // A server named like a host's disk device host.
  text = with("name = \"filer\"", "name = \"disk:filer-disk\"");
  EXPECT_FALSE(error_of(text).empty());
}

TEST(ScenarioMemory, AHundredThousandClientsAreRefusedWithAnEstimate) {
  std::string text = with("count = 3", "count = 100000");
  const Scenario big = load_scenario_text(text, "big.toml").points[0];
  MemoryEstimate e = estimate_memory(big);
  EXPECT_EQ(e.netpoints, 100000U + 2U);  // the clients, the filer and its disk
  EXPECT_GT(e.bytes, 8.0 * 100002 * 100002);  // at least the full zone's routing table
  try {
    check_memory(big, 24.0 * (1ULL << 30));
    FAIL() << "100,000 clients accepted on 24 GiB";
  } catch (const ScenarioError& error) {
    std::string what = error.what();
    EXPECT_NE(what.find("big.toml: this simulation needs about"), std::string::npos) << what;
    EXPECT_NE(what.find("routing table"), std::string::npos) << what;
  }
  // A host copy in flight is charged more than an offloaded one; without a
  // method the scenario's costliest (here "host") counts.
  const MethodVariant& host = big.methods[0];
  const MethodVariant& offloaded = big.methods[1];
  ASSERT_EQ(host.choice, MethodChoice::host);
  EXPECT_GT(estimate_memory(big, &host).bytes, estimate_memory(big, &offloaded).bytes);
  EXPECT_EQ(estimate_memory(big).bytes, estimate_memory(big, &host).bytes);
  EXPECT_NE(estimate_memory(big, &offloaded).breakdown.find("offloaded copies in flight"), std::string::npos)
      << estimate_memory(big, &offloaded).breakdown;
  // The shipped-size scenario fits with room to spare.
  const Scenario small = load_scenario_text(kValid, "ok.toml").points[0];
  EXPECT_LT(estimate_memory(small).bytes, 64.0 * (1 << 20));
  EXPECT_NO_THROW(check_memory(small, 1.0 * (1ULL << 30)));
}

}  // namespace
}  // namespace offload::sim

namespace offload::testing {
namespace {

// A minimal scenario with a [sweep.setup] table appended.
std::string zipped(const std::string& sweep) {
  return R"(
[scenario]
name = "zip"
methods = ["host"]
[[host]]
name = "client"
[[nfs_server]]
name = "filer"
disk = { read = "1GBps", write = "1GBps" }
[[link]]
name = "lan"
bandwidth = "1Gbps"
between = ["client", "filer"]
[[copy]]
on = "client"
from = "filer:/a"
to = "filer:/b"
size = "1GiB"
)" + sweep;
}

TEST(ScenarioSweep, TableKeysVaryTogetherNamedByTheirLabel) {
  auto set = sim::load_scenario_text(zipped(R"(
[sweep.setup]
label = ["slow", "fast"]
"link.lan.bandwidth" = ["1Gbps", "100Gbps"]
"nfs_server.filer.disk" = [{ read = "1GBps", write = "1GBps" }, { read = "3GBps", write = "2GBps" }]
)"),
                                     "zip.toml");
  ASSERT_EQ(set.points.size(), 2U);  // one axis, not a product of two
  EXPECT_EQ(set.sweep_keys, std::vector<std::string>{"setup"});
  EXPECT_EQ(set.points[0].point.at("setup"), "slow");
  EXPECT_DOUBLE_EQ(set.points[0].links[0].bandwidth_Bps, 1e9 / 8);
  EXPECT_DOUBLE_EQ(set.points[1].links[0].bandwidth_Bps, 100e9 / 8);
  EXPECT_DOUBLE_EQ(set.points[1].nfs_servers[0].disk.write_Bps, 2e9);
}

TEST(ScenarioSweep, TableKeysOfDifferentLengthsAreRefused) {
  try {
    sim::load_scenario_text(zipped("[sweep.setup]\n\"link.lan.bandwidth\" = [\"1Gbps\", \"10Gbps\"]\n"
                                   "\"copy.1.size\" = [\"1GiB\"]\n"),
                            "zip.toml");
    FAIL() << "accepted";
  } catch (const sim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("[sweep.setup] key 'copy.1.size': 1 values, but 'link.lan.bandwidth' has 2"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace offload::testing
