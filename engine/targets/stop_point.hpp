// Named stop points for kill and cancel tests of real copies. A test sets
// OFFLOAD_TEST_STOP_AT=NAME (or NAME,hold; several joined with ';') in the
// environment of an `offload` process; when the copy reaches NAME (the first
// time) the process stops itself
// with SIGSTOP, so the test knows where it is (waitpid with WUNTRACED)
// without timing anything, and can then SIGKILL it or let it go on. With
// ",hold" the operation that reached the point waits, once continued, until
// the copy is cancelled (CopyTarget::interrupt), so a cancel lands before
// the copy writes anything more. Unset (always, outside tests) it costs one
// comparison.
//
// Points: "after-write-N" (the N-th data operation into the destination
// returned; "after-first-write" is after-write-1), "before-publish" (all data written, source
// checked, nothing published yet), "between-publish-steps" (an atomic
// replace linked its data under the hidden staging name and has not yet
// renamed it over the destination).
#pragma once

#include <atomic>
#include <cstdint>

namespace offload {

/// Stops the process at `point` when the test environment asks for it;
/// `cancelled` is what a ",hold" stop waits for.
void stop_point(const char* point, const std::atomic<bool>& cancelled);

/// stop_point("after-write-COUNT"), for the COUNT-th data operation.
void stop_after_write(std::uint64_t count, const std::atomic<bool>& cancelled);

}  // namespace offload
