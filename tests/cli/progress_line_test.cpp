// `offload cp --progress` off a terminal (a log, a pipe): no line before the
// first byte moved ("0 B/s" through no method), and the 100 % line once.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "cli/progress.hpp"

namespace offload::cli {
namespace {

// Runs `body` with stderr sent to a file; returns what it wrote there.
template <typename Body>
std::string captured_stderr(Body body) {
  char path[] = "/tmp/offload-progress-XXXXXX";
  int file = mkstemp(path);
  EXPECT_GE(file, 0);
  std::fflush(stderr);
  int saved = dup(STDERR_FILENO);
  dup2(file, STDERR_FILENO);
  body();
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  unlink(path);
  return text.str();
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

CopyStatus at(std::uint64_t done) {
  CopyStatus status;
  status.bytes_total = 64ULL << 20;
  status.bytes_done = done;
  status.bytes_by_method[static_cast<std::size_t>(Method::host)] = done;
  return status;
}

constexpr TimeNs kSecond = 1'000'000'000;

TEST(ProgressOffATerminal, NoLineBeforeTheFirstByte) {
  std::string text = captured_stderr([] {
    ProgressLine progress(true);
    progress.update(at(0), 2 * kSecond);  // held before the first operation
    progress.update(at(0), 4 * kSecond);
  });
  EXPECT_EQ(text, "");
}

TEST(ProgressOffATerminal, OneLinePerSecondAndTheLastOnce) {
  std::string text = captured_stderr([] {
    ProgressLine progress(true);
    progress.update(at(0), kSecond / 2);
    progress.update(at(16ULL << 20), kSecond);            // first line
    progress.update(at(20ULL << 20), kSecond + kSecond / 2);  // within the second: none
    progress.update(at(64ULL << 20), 3 * kSecond);        // all bytes, the copy still publishing
    progress.finish(at(64ULL << 20), 3 * kSecond + 1000);
  });
  EXPECT_EQ(count(text, "progress: "), 2U) << text;
  EXPECT_EQ(count(text, "progress: 25%"), 1U) << text;
  EXPECT_EQ(count(text, "100%"), 1U) << text;
  EXPECT_EQ(count(text, "0 B/s"), 0U) << text;
  EXPECT_EQ(count(text, "none"), 0U) << text;
}

TEST(ProgressOffATerminal, FinishAddsTheEndWhenTheLastLineWasEarlier) {
  std::string text = captured_stderr([] {
    ProgressLine progress(true);
    progress.update(at(32ULL << 20), kSecond);
    progress.finish(at(64ULL << 20), kSecond + 1000);
  });
  EXPECT_EQ(count(text, "progress: 50%"), 1U) << text;
  EXPECT_EQ(count(text, "progress: 100%"), 1U) << text;
}

TEST(ProgressOffATerminal, DisabledPrintsNothing) {
  std::string text = captured_stderr([] {
    ProgressLine progress(false);
    progress.update(at(32ULL << 20), kSecond);
    progress.finish(at(64ULL << 20), 2 * kSecond);
  });
  EXPECT_EQ(text, "");
}

}  // namespace
}  // namespace offload::cli
