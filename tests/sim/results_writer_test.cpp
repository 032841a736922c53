// The one writer of results.json, runs.csv and copies.csv (sim/scenario/runner.hpp):
// integers survive exactly, sweep points keep the file's order.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/status_json.hpp"
#include "sim/scenario/runner.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/sim/simulate.hpp"

namespace offload::sim {
namespace {

constexpr std::uint64_t kBig = (1ULL << 32) + 1;  // 4 GiB + 1 B: 4.2949673e+09 in 8 digits

// A fresh directory under /tmp, removed with the fixture.
class ResultsWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/results-writer-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string dir_;
};

// The second line's cell under header `column` of a CSV text.
std::string cell(const std::string& csv, const std::string& column) {
  std::istringstream lines(csv);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream names(header), cells(row);
  for (std::string name, value; std::getline(names, name, ',') && std::getline(cells, value, ',');) {
    if (name == column) return value;
  }
  return "(no column " + column + ")";
}

// One run record with one copy, shaped as run_simulation returns it.
nlohmann::json run_record(const std::string& point_value) {
  nlohmann::json copy{{"host", "box"},       {"copy", 1},         {"index", 0},
                      {"size_bytes", count_json(static_cast<double>(kBig))},
                      {"bytes_done", kBig},  {"state", "done"},   {"start_s", 0.0},
                      {"end_s", 2.5},        {"latency_s", 2.5},  {"throughput_Bps", kBig / 2.5},
                      {"methods_used", "host"}, {"fallbacks", nlohmann::json::array()},
                      {"retries", count_json(0)}, {"redrives", count_json(0)}, {"callbacks_lost", count_json(0)}};
  nlohmann::json summary{{"copies", 1}, {"done", 1}, {"bytes", count_json(static_cast<double>(kBig))},
                         {"makespan_s", 2.5}, {"mean_latency_s", 2.5}, {"aggregate_throughput_Bps", kBig / 2.5},
                         {"client_cpu_s_per_GiB", nullptr}, {"server_cpu_s_per_GiB", nullptr}};
  nlohmann::json metrics{{"link_bytes", {{"lan", count_json(2.0 * kBig)}}},
                         {"cpu_busy_s", {{"box", 0.125}}}, {"shared_links", {"lan"}}};
  return {{"point", {{"link.lan.bandwidth", point_value}}}, {"method", "host"}, {"sim_time_s", 2.5},
          {"summary", summary}, {"metrics", metrics}, {"copies", {copy}}};
}

TEST_F(ResultsWriter, IntegersAreWrittenExactly) {
  write_results(nlohmann::json::array({run_record("1Gbps")}), dir_);
  auto runs = nlohmann::json::parse(read("results.json"));
  const auto& copy = runs[0]["copies"][0];
  ASSERT_TRUE(copy["size_bytes"].is_number_integer()) << copy["size_bytes"];
  EXPECT_EQ(copy["size_bytes"].get<std::uint64_t>(), kBig);
  EXPECT_EQ(runs[0]["summary"]["bytes"].get<std::uint64_t>(), kBig);
  EXPECT_EQ(read("results.json").find("4294967297.0"), std::string::npos);
  std::string copies = read("copies.csv");
  EXPECT_EQ(cell(copies, "size_bytes"), "4294967297");
  EXPECT_EQ(cell(copies, "bytes_done"), "4294967297");
  EXPECT_EQ(cell(copies, "end_s"), "2.5");
  EXPECT_EQ(cell(read("runs.csv"), "link_bytes:lan"), "8589934594");
  EXPECT_EQ(cell(read("runs.csv"), "cpu_busy_s:box"), "0.125");
}

TEST(CountJson, WholeCountsBecomeIntegersOthersStayDoubles) {
  EXPECT_TRUE(count_json(static_cast<double>(kBig)).is_number_unsigned());
  EXPECT_EQ(count_json(static_cast<double>(kBig)).dump(), "4294967297");
  EXPECT_TRUE(count_json(1.5).is_number_float());      // never rounded away
  EXPECT_TRUE(count_json(-1.0).is_number_float());     // not a count
  EXPECT_TRUE(count_json(1e300).is_number_float());    // past 2^53: not exact as an integer
}

const std::string kSwept = R"([scenario]
name = "order"
network_model = "CM02"
methods = ["host", "kernel-copy"]

[[host]]
name = "box"
disk = { read = "1GBps", write = "1GBps" }

[[copy]]
on = "box"
from = "local:/a"
to = "local:/b"
size = "4294967297B"

[sweep]
"host.box.disk.write" = ["1GBps", "10GBps", "100GBps", "25GBps", "2GBps"]
)";

TEST_F(ResultsWriter, SweepPointsKeepTheFileOrder) {
  auto set = load_scenario_text(kSwept, "order.toml");
  std::vector<std::string> labels;
  for (const auto& run : plan_runs(set)) labels.push_back(run.label);
  EXPECT_EQ(labels, (std::vector<std::string>{
                        "host.box.disk.write=1GBps host", "host.box.disk.write=1GBps kernel-copy",
                        "host.box.disk.write=10GBps host", "host.box.disk.write=10GBps kernel-copy",
                        "host.box.disk.write=100GBps host", "host.box.disk.write=100GBps kernel-copy",
                        "host.box.disk.write=25GBps host", "host.box.disk.write=25GBps kernel-copy",
                        "host.box.disk.write=2GBps host", "host.box.disk.write=2GBps kernel-copy"}));
  nlohmann::json runs = nlohmann::json::array();
  for (const char* value : {"1GBps", "10GBps", "100GBps", "25GBps"}) runs.push_back(run_record(value));
  write_results(runs, dir_);
  std::istringstream csv(read("runs.csv"));
  std::vector<std::string> first_cells;
  for (std::string line; std::getline(csv, line);) first_cells.push_back(line.substr(0, line.find(',')));
  EXPECT_EQ(first_cells, (std::vector<std::string>{"link.lan.bandwidth", "1GBps", "10GBps", "100GBps", "25GBps"}));
}

TEST(SimulatedRecord, SizesAndCountsAreIntegers) {
  auto record = testing::simulate(kSwept, "host", 3);
  ASSERT_FALSE(record.contains("error")) << record["error"];
  EXPECT_EQ(record["point"]["host.box.disk.write"], "25GBps");
  const auto& copy = record["copies"][0];
  ASSERT_TRUE(copy["size_bytes"].is_number_integer()) << copy["size_bytes"];
  EXPECT_EQ(copy["size_bytes"].get<std::uint64_t>(), kBig);
  EXPECT_EQ(copy["bytes_done"].get<std::uint64_t>(), kBig);
  EXPECT_EQ(record["summary"]["bytes"].get<std::uint64_t>(), kBig);
  EXPECT_TRUE(record["summary"]["fallbacks"].is_number_integer());
  const auto& disk = record["metrics"]["disks"]["box-disk"];
  EXPECT_EQ(disk["read_bytes"].get<std::uint64_t>(), kBig);
  EXPECT_EQ(disk["write_bytes"].get<std::uint64_t>(), kBig);
}

}  // namespace
}  // namespace offload::sim
