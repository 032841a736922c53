// The engine core on a fake clock and fake targets: timing, queueing, the
// ladder and its fallbacks, short counts, sparse maps, cancel and errors,
// all deterministic and without a thread or a real file.
#include <gtest/gtest.h>

#include <cerrno>

#include "engine/engine.hpp"
#include "tests/engine/fake_runtime.hpp"
#include "tests/engine/fake_target.hpp"

namespace offload::testing {
namespace {

constexpr std::uint64_t kMiB = 1ULL << 20;
constexpr TimeNs kMs = 1'000'000;

// read 1 ms, write 2 ms per host chunk; clone 5 ms; copy_range 1 ms per MiB.
TimeNs cost_of(const Op& op) {
  switch (op.kind) {
    case OpKind::read: return 1 * kMs;
    case OpKind::write: return 2 * kMs;
    case OpKind::clone: return 5 * kMs;
    case OpKind::copy_range: return static_cast<TimeNs>(op.length * kMs / kMiB);
    default: return 0;
  }
}

struct Rig {
  explicit Rig(FakeBehaviour behaviour = {}, EngineConfig config = {}) : factory(store, behaviour),
      engine(runtime, factory, config) {}
  FakeStore store;
  FakeRuntime runtime{cost_of};
  FakeFactory factory;
  Engine engine;

  Cookie submit(CopyRequest request) {
    auto cookie = engine.submit(request);
    EXPECT_TRUE(cookie.has_value()) << (cookie ? "" : cookie.error().describe());
    return cookie.value_or(Cookie{});
  }
  bool same(const std::string& a, const std::string& b) { return store.at(a)->bytes == store.at(b)->bytes; }
};

EngineConfig serial_host() {
  EngineConfig config;
  config.queue_depth = 1;
  config.host_chunk_bytes = kMiB;
  return config;
}

TEST(EngineFake, HostCopyTakesTheCostModelsTime) {
  Rig rig({}, serial_host());
  rig.store["src"] = make_fake_file(10 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  CopyStatus status = *rig.engine.wait(cookie);
  ASSERT_EQ(status.state, CopyState::done) << status.error->describe();
  // Ten chunks, each a 1 ms read then a 2 ms write, one op at a time.
  EXPECT_EQ(status.finished_ns, 30 * kMs);
  EXPECT_EQ(status.bytes_done, 10 * kMiB);
  EXPECT_EQ(status.bytes_by_method[static_cast<int>(Method::host)], 10 * kMiB);
  EXPECT_EQ(status.operations, 22U);  // map + 10 reads + 10 writes + finish
  EXPECT_EQ(status.cpu_ns, 22 * 1000);
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, WaitTimesOutOnTheRuntimesClock) {
  Rig rig({}, serial_host());
  rig.store["src"] = make_fake_file(10 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  CopyStatus status = *rig.engine.wait(cookie, 10 * kMs);
  EXPECT_EQ(status.state, CopyState::running);
  EXPECT_EQ(rig.runtime.now_ns(), 10 * kMs);
  EXPECT_EQ(status.bytes_done, 3 * kMiB);  // writes end at 3, 6 and 9 ms
  EXPECT_EQ(rig.engine.poll(cookie)->bytes_done, 3 * kMiB);  // poll does not advance time
  EXPECT_EQ(rig.engine.wait(cookie)->state, CopyState::done);
}

TEST(EngineFake, QueueDepthBoundsOperationsAndMemory) {
  EngineConfig config;
  config.queue_depth = 3;
  config.host_chunk_bytes = kMiB;
  Rig rig({}, config);
  std::vector<Cookie> cookies;
  for (int i = 0; i < 6; ++i) {
    std::string name = "src" + std::to_string(i);
    rig.store[name] = make_fake_file(4 * kMiB + 17 * static_cast<std::uint64_t>(i), i + 1);
    cookies.push_back(rig.submit({.source = name, .destination = "dst" + std::to_string(i), .method = MethodChoice::host}));
  }
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(rig.engine.wait(cookies[i])->state, CopyState::done);
    EXPECT_TRUE(rig.same("src" + std::to_string(i), "dst" + std::to_string(i)));
  }
  EXPECT_EQ(rig.engine.peak_in_flight(), 3U);
  EXPECT_LE(rig.engine.buffer_bytes_allocated(), 3 * kMiB);
  EXPECT_EQ(rig.engine.active(), 0U);
}

// The reads that fill a buffer first carry its bytes (the page faults the
// simulator charges); a later copy on the same engine reuses the buffers.
TEST(EngineFake, FreshBufferBytesCountEachBufferOnce) {
  EngineConfig config;
  config.queue_depth = 4;
  config.copy_depth = 0;
  config.host_chunk_bytes = kMiB;
  Rig rig({}, config);
  rig.store["a"] = make_fake_file(8 * kMiB, 1);
  rig.store["b"] = make_fake_file(8 * kMiB, 2);
  CopyStatus first = *rig.engine.wait(rig.submit({.source = "a", .destination = "a2", .method = MethodChoice::host}));
  ASSERT_EQ(first.state, CopyState::done);
  EXPECT_GT(first.fresh_buffer_bytes, 0U);
  EXPECT_EQ(first.fresh_buffer_bytes % kMiB, 0U);               // whole buffers
  EXPECT_LE(first.fresh_buffer_bytes, 4 * kMiB);                // at most the pool
  EXPECT_EQ(first.fresh_buffer_bytes, rig.engine.buffer_bytes_allocated());
  CopyStatus second = *rig.engine.wait(rig.submit({.source = "b", .destination = "b2", .method = MethodChoice::host}));
  ASSERT_EQ(second.state, CopyState::done);
  EXPECT_EQ(second.fresh_buffer_bytes, 0U);  // the same pool, already touched
  EXPECT_TRUE(rig.same("b", "b2"));
}

TEST(EngineFake, CopyDepthBoundsEachCopyWithinTheQueue) {
  EngineConfig config;
  config.queue_depth = 8;
  config.copy_depth = 2;
  config.kernel_copy_chunk_bytes = kMiB;
  Rig one({}, config);
  one.store["src"] = make_fake_file(16 * kMiB);
  ASSERT_EQ(one.engine.wait(one.submit({.source = "src", .destination = "dst", .method = MethodChoice::kernel_copy}))->state,
            CopyState::done);
  EXPECT_EQ(one.engine.peak_in_flight(), 2U);  // one copy: its own depth
  Rig three({}, config);
  std::vector<Cookie> cookies;
  for (int i = 0; i < 3; ++i) {
    three.store["s" + std::to_string(i)] = make_fake_file(16 * kMiB, i + 1);
    cookies.push_back(three.submit({.source = "s" + std::to_string(i), .destination = "d" + std::to_string(i),
                                    .method = MethodChoice::kernel_copy}));
  }
  for (Cookie c : cookies) ASSERT_EQ(three.engine.wait(c)->state, CopyState::done);
  EXPECT_EQ(three.engine.peak_in_flight(), 6U);  // three copies share the queue of 8
  EXPECT_TRUE(three.same("s2", "d2"));
}

TEST(EngineFake, AutoFallsBackFromCloneAndRecordsIt) {
  Rig rig({.clone_errno = EXDEV});
  rig.store["src"] = make_fake_file(3 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst"});
  CopyStatus status = *rig.engine.wait(cookie);
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.bytes_by_method[static_cast<int>(Method::clone)], 0U);
  EXPECT_EQ(status.bytes_by_method[static_cast<int>(Method::kernel_copy)], 3 * kMiB);
  ASSERT_EQ(status.fallbacks.size(), 1U);
  EXPECT_EQ(status.fallbacks[0].from, Method::clone);
  EXPECT_EQ(status.fallbacks[0].to, Method::kernel_copy);
  EXPECT_EQ(status.fallbacks[0].errno_value, EXDEV);
  EXPECT_EQ(status.fallbacks[0].bytes, 3 * kMiB);
  EXPECT_EQ(status.methods_used_text(), "kernel-copy");
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, AutoFallsThroughTwoRungsToHost) {
  EngineConfig config;  // many kernel-copy chunks in flight when the first fails
  config.queue_depth = 8;
  config.copy_depth = 0;
  config.kernel_copy_chunk_bytes = kMiB;
  Rig rig({.clone_errno = EOPNOTSUPP, .copy_range_errno = EXDEV}, config);
  rig.store["src"] = make_fake_file(5 * kMiB + 3);
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst"}));
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.methods_used_text(), "host");
  ASSERT_EQ(status.fallbacks.size(), 2U);
  EXPECT_EQ(status.fallbacks[1].from, Method::kernel_copy);
  EXPECT_EQ(status.fallbacks[1].to, Method::host);
  EXPECT_EQ(status.fallbacks[1].errno_value, EXDEV);  // the cause, for every range
  EXPECT_EQ(status.fallbacks[1].bytes, 5 * kMiB + 3);
  EXPECT_EQ(status.fallbacks[1].ranges, 6U);  // six chunks were in flight; one record, one cause
  EXPECT_EQ(rig.engine.peak_in_flight(), 6U);
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, EinvalFallsBackForOneRangeOnly) {
  EngineConfig config;
  config.clone_chunk_bytes = kMiB;
  Rig rig({.clone_einval_at = kMiB + 5}, config);
  rig.store["src"] = make_fake_file(4 * kMiB);
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst"}));
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.bytes_by_method[static_cast<int>(Method::clone)], 3 * kMiB);
  EXPECT_EQ(status.bytes_by_method[static_cast<int>(Method::kernel_copy)], kMiB);
  ASSERT_EQ(status.fallbacks.size(), 1U);
  EXPECT_EQ(status.fallbacks[0].first_offset, kMiB);
  EXPECT_EQ(status.fallbacks[0].ranges, 1U);
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, PinnedMethodThatCannotWorkIsAnError) {
  Rig rig({.clone_errno = EXDEV});
  rig.store["src"] = make_fake_file(kMiB);
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::clone}));
  EXPECT_EQ(status.state, CopyState::failed);
  ASSERT_TRUE(status.error);
  EXPECT_EQ(status.error->errno_value, EXDEV);
  EXPECT_EQ(status.error->path, "dst");
  EXPECT_TRUE(status.fallbacks.empty());
  EXPECT_FALSE(rig.store.contains("dst"));  // the claim was undone
}

TEST(EngineFake, ShortCountsAreReissuedUntilDone) {
  Rig rig({.copy_range_max_bytes = 300 * 1024});
  rig.store["src"] = make_fake_file(2 * kMiB);
  CopyStatus status = *rig.engine.wait(
      rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::kernel_copy}));
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.operations, 2U + 7U);  // map, 7 short copies (6 x 300 KiB + rest), finish
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, SparseSourceCopiesOnlyItsData) {
  Rig rig({}, serial_host());
  auto source = make_fake_file(10 * kMiB);
  std::fill(source->bytes.begin() + kMiB, source->bytes.begin() + 9 * kMiB, std::byte{0});
  source->data = {{0, kMiB}, {9 * kMiB, kMiB}};
  rig.store["src"] = source;
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host}));
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.bytes_done, 2 * kMiB);
  EXPECT_EQ(status.hole_bytes, 8 * kMiB);
  for (const ByteRange& written : rig.store.at("dst")->written) {
    EXPECT_FALSE(ranges_overlap(written, {kMiB, 8 * kMiB})) << "wrote into the hole at " << written.offset;
  }
  EXPECT_TRUE(rig.same("src", "dst"));
}

TEST(EngineFake, RangeLandsAtTheDestinationOffset) {
  Rig rig;
  rig.store["src"] = make_fake_file(3 * kMiB);
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst", .source_offset = kMiB,
                                                   .destination_offset = 4096, .length = kMiB + 10}));
  ASSERT_EQ(status.state, CopyState::done);
  EXPECT_EQ(status.bytes_total, kMiB + 10);
  const auto& src = rig.store.at("src")->bytes;
  const auto& dst = rig.store.at("dst")->bytes;
  ASSERT_EQ(dst.size(), 4096 + kMiB + 10);
  EXPECT_TRUE(std::equal(src.begin() + kMiB, src.begin() + 2 * kMiB + 10, dst.begin() + 4096));
}

// Reads of later chunks finish first (cost falls with the offset), so writes
// would land out of order unless the engine holds them back.
TimeNs later_reads_faster(const Op& op) {
  if (op.kind == OpKind::read) return static_cast<TimeNs>(20 * kMiB - op.source_offset) * kMs / kMiB;
  return cost_of(op);
}

struct OrderedRun {
  std::vector<ByteRange> written;
  std::uint32_t peak_in_flight;
};

OrderedRun host_copy_with_later_reads_faster(bool grows_in_order) {
  FakeStore store;
  FakeRuntime runtime{later_reads_faster};
  FakeFactory factory(store, {.grows_in_order = grows_in_order});
  EngineConfig config;
  config.queue_depth = 8;
  config.copy_depth = 8;
  config.host_chunk_bytes = kMiB;
  Engine engine(runtime, factory, config);
  store["src"] = make_fake_file(16 * kMiB);
  auto cookie = engine.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  EXPECT_EQ(engine.wait(*cookie)->state, CopyState::done);
  EXPECT_EQ(store.at("src")->bytes, store.at("dst")->bytes);
  return {store.at("dst")->written, engine.peak_in_flight()};
}

TEST(EngineFake, OrderedGrowthWritesInDestinationOrderWhileReadsOverlap) {
  OrderedRun ordered = host_copy_with_later_reads_faster(true);
  ASSERT_EQ(ordered.written.size(), 16U);
  for (std::size_t i = 1; i < ordered.written.size(); ++i) {
    EXPECT_EQ(ordered.written[i].offset, ordered.written[i - 1].end()) << "write " << i << " left a gap";
  }
  EXPECT_GT(ordered.peak_in_flight, 2U);  // reads still ran ahead of the writes
  // The same copy without the constraint writes out of order: the check above can fail.
  OrderedRun free = host_copy_with_later_reads_faster(false);
  bool out_of_order = false;
  for (std::size_t i = 1; i < free.written.size(); ++i) out_of_order |= free.written[i].offset < free.written[i - 1].offset;
  EXPECT_TRUE(out_of_order);
}

TEST(EngineFake, CancelStopsIssuingAndUndoesTheClaim) {
  int interrupts = 0;
  Rig rig({.interrupts = &interrupts}, serial_host());
  rig.store["src"] = make_fake_file(100 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  rig.engine.wait(cookie, 7 * kMs);
  ASSERT_TRUE(rig.engine.cancel(cookie));
  EXPECT_FALSE(rig.engine.cancel(cookie));  // once only
  EXPECT_EQ(interrupts, 1);  // the operation in flight was asked to stop
  CopyStatus status = *rig.engine.wait(cookie);
  EXPECT_EQ(status.state, CopyState::cancelled);
  EXPECT_EQ(status.error->errno_value, ECANCELED);
  EXPECT_LT(status.bytes_done, 4 * kMiB);
  EXPECT_LE(status.finished_ns, 9 * kMs);  // the write in flight ends, nothing new starts
  EXPECT_FALSE(rig.store.contains("dst"));
}

TEST(EngineFake, SourceTruncatedDuringTheCopyFails) {
  Rig rig({}, serial_host());
  rig.store["src"] = make_fake_file(10 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  rig.runtime.at(5 * kMs, [&] { rig.store.at("src")->bytes.resize(2 * kMiB); });
  CopyStatus status = *rig.engine.wait(cookie);
  EXPECT_EQ(status.state, CopyState::failed);
  EXPECT_EQ(status.error->errno_value, ENODATA);
  EXPECT_EQ(status.error->path, "src");
  EXPECT_FALSE(rig.store.contains("dst"));
}

TEST(EngineFake, WriteErrorFailsWithoutFallbackAndKeepsTheSource) {
  Rig rig({.clone_errno = EOPNOTSUPP, .copy_range_errno = EOPNOTSUPP, .enospc_after_bytes = 3 * kMiB});
  rig.store["src"] = make_fake_file(8 * kMiB);
  auto before = rig.store.at("src")->bytes;
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst"}));
  EXPECT_EQ(status.state, CopyState::failed);
  EXPECT_EQ(status.error->errno_value, ENOSPC);
  EXPECT_EQ(status.error->path, "dst");
  EXPECT_EQ(rig.store.at("src")->bytes, before);
  EXPECT_FALSE(rig.store.contains("dst"));
}

// A host buffer that cannot be allocated fails that copy with ENOMEM (it
// used to throw std::bad_alloc out of a runtime completion: std::terminate).
TEST(EngineFake, UnallocatableHostBufferFailsTheCopyNotTheProcess) {
  EngineConfig config = serial_host();
  config.host_chunk_bytes = 1ULL << 62;  // 4 EiB: no allocator gives that
  Rig rig({}, config);
  rig.store["src"] = make_fake_file(3 * kMiB);
  CopyStatus status = *rig.engine.wait(rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host}));
  EXPECT_EQ(status.state, CopyState::failed);
  ASSERT_TRUE(status.error);
  EXPECT_EQ(status.error->errno_value, ENOMEM);
  EXPECT_NE(status.error->message.find("host buffer"), std::string::npos) << status.error->message;
  EXPECT_FALSE(rig.store.contains("dst"));
  EXPECT_EQ(rig.engine.active(), 0U);
}

TEST(EngineFake, SubmitErrorsComeBackAtOnce) {
  Rig rig;
  rig.store["src"] = make_fake_file(kMiB);
  rig.store["taken"] = make_fake_file(10);
  auto missing = rig.engine.submit({.source = "nope", .destination = "dst"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value, ENOENT);
  auto taken = rig.engine.submit({.source = "src", .destination = "taken"});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().errno_value, EEXIST);
  EXPECT_EQ(rig.store.at("taken")->bytes.size(), 10U);
  EXPECT_EQ(rig.runtime.started(), 0U);
}

TEST(EngineFake, SameInputsGiveTheSameTimeline) {
  auto run = [] {
    EngineConfig config;
    config.queue_depth = 4;
    Rig rig({.clone_einval_at = 0}, config);
    std::vector<Cookie> cookies;
    for (int i = 0; i < 5; ++i) {
      rig.store["s" + std::to_string(i)] = make_fake_file((i + 1) * kMiB + 1, i + 1);
      cookies.push_back(rig.submit({.source = "s" + std::to_string(i), .destination = "d" + std::to_string(i),
                                    .method = i % 2 ? MethodChoice::host : MethodChoice::automatic}));
    }
    std::vector<TimeNs> ends;
    for (Cookie c : cookies) ends.push_back(rig.engine.wait(c)->finished_ns);
    return ends;
  };
  auto first = run();
  EXPECT_EQ(first, run());
  EXPECT_GT(first.back(), 0);
}

TEST(EngineFake, ReleaseForgetsOnlyEndedCopies) {
  Rig rig({}, serial_host());
  rig.store["src"] = make_fake_file(4 * kMiB);
  Cookie cookie = rig.submit({.source = "src", .destination = "dst", .method = MethodChoice::host});
  EXPECT_FALSE(rig.engine.release(cookie));
  rig.engine.wait(cookie);
  EXPECT_TRUE(rig.engine.release(cookie));
  EXPECT_FALSE(rig.engine.poll(cookie).has_value());
}

}  // namespace
}  // namespace offload::testing
