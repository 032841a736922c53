// The process pool of `offload sim -j` (sim/scenario/worker_pool.hpp) with
// /bin/sh children: every task runs once and at most `jobs` at a time, a
// failure names the task with its status and stderr and ends the others, a
// stop signal ends them all. A child signals the test process itself, so
// nothing waits on time.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "sim/scenario/worker_pool.hpp"

namespace offload::sim {
namespace {

volatile std::sig_atomic_t g_hangup = 0;
extern "C" void on_hangup(int) { g_hangup = 1; }

WorkerTask shell(const std::string& script, const std::string& label) { return {{"/bin/sh", "-c", script}, label}; }

// A fresh directory under /tmp, removed with the fixture.
class WorkerPool : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/worker-pool-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(mkfifo((dir_ + "/go").c_str(), 0600), 0);  // opening it waits for the other end: a hand-over
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // Pids of children that wrote "$$" into `name` and are still running.
  std::set<std::string> alive(const std::string& name) const {
    std::set<std::string> pids;
    std::ifstream in(dir_ + "/" + name);
    for (std::string pid; in >> pid;) {
      if (kill(std::stoi(pid), 0) == 0) pids.insert(pid);
    }
    return pids;
  }
  std::string dir_;
};

TEST_F(WorkerPool, RunsEveryTaskOnceAtMostJobsAtATime) {
  // Each child counts itself in with a directory (mkdir is atomic) and fails
  // if more than 2 are in at once; the last one out leaves it empty.
  std::vector<WorkerTask> tasks;
  for (int i = 0; i < 6; ++i) {
    tasks.push_back(shell("mkdir " + dir_ + "/in-" + std::to_string(i) + " && n=$(ls " + dir_ +
                              " | grep -c '^in-') && [ $n -le 2 ] && echo ran >" + dir_ + "/done-" +
                              std::to_string(i) + " && echo note-" + std::to_string(i) + " >&2 && rmdir " + dir_ +
                              "/in-" + std::to_string(i),
                          "task " + std::to_string(i)));
  }
  std::set<std::size_t> finished;
  std::string notes;
  WorkerPoolOptions options;
  options.jobs = 2;
  options.on_finished = [&](const WorkerDone& done) {
    EXPECT_TRUE(finished.insert(done.index).second);
    EXPECT_EQ(done.finished, finished.size());
    notes += done.stderr_text;
  };
  run_workers(tasks, options);
  EXPECT_EQ(finished.size(), 6U);
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(std::filesystem::exists(dir_ + "/done-" + std::to_string(i))) << i;
  for (int i = 0; i < 6; ++i) EXPECT_NE(notes.find("note-" + std::to_string(i) + "\n"), std::string::npos) << i;
}

TEST_F(WorkerPool, AFailureIsNamedWithItsStderrAndEndsTheOthers) {
  // Task 0 never ends; task 1 fails once task 0 runs (its pid written, then "go" on the FIFO).
  std::vector<WorkerTask> tasks{
      shell("echo $$ >" + dir_ + "/pids; echo go >" + dir_ + "/go; exec sleep 600", "never"),
      shell("read line <" + dir_ + "/go; echo 'disk on fire' >&2; exit 4", "failing")};
  WorkerPoolOptions options;
  options.jobs = 2;
  try {
    run_workers(tasks, options);
    FAIL() << "no WorkerFailed";
  } catch (const WorkerFailed& e) {
    EXPECT_STREQ(e.what(), "failing failed (exit 4); its stderr: disk on fire");
  }
  EXPECT_TRUE(alive("pids").empty());
}

TEST_F(WorkerPool, AChildKilledByASignalSaysWhich) {
  WorkerPoolOptions options;
  try {
    run_workers({shell("kill -SEGV $$", "crashing")}, options);
    FAIL() << "no WorkerFailed";
  } catch (const WorkerFailed& e) {
    EXPECT_STREQ(e.what(), "crashing failed (killed by SIGSEGV); its stderr: (empty)");
  }
}

TEST_F(WorkerPool, AStopSignalEndsEveryChild) {
  struct sigaction action {}, old {};
  action.sa_handler = on_hangup;
  sigaction(SIGHUP, &action, &old);
  g_hangup = 0;
  // Both children start; the second sends SIGHUP to this process once the first runs.
  std::vector<WorkerTask> tasks{
      shell("echo $$ >" + dir_ + "/pids; echo go >" + dir_ + "/go; exec sleep 600", "first"),
      shell("read line <" + dir_ + "/go; echo $$ >>" + dir_ + "/pids; kill -HUP $PPID; exec sleep 600", "second"),
      shell("echo started >" + dir_ + "/third", "third")};
  WorkerPoolOptions options;
  options.jobs = 2;
  options.stop_requested = [] { return g_hangup != 0; };
  EXPECT_THROW(run_workers(tasks, options), WorkersStopped);
  sigaction(SIGHUP, &old, nullptr);
  EXPECT_TRUE(alive("pids").empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/third"));  // never started
}

TEST(UsableCpus, AtLeastOneAndNoMoreThanOnline) {
  EXPECT_GE(usable_cpus(), 1U);
  EXPECT_LE(static_cast<long>(usable_cpus()), sysconf(_SC_NPROCESSORS_ONLN));
}

}  // namespace
}  // namespace offload::sim
