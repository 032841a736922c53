#!/usr/bin/env bash
# Installs, builds and runs every test, in three phases:
#  1. the C++ suite under ctest in build/, built with -Werror (OFFLOAD_WERROR:
#     a compiler warning fails CI; real filesystem tests need root;
#     with OFFLOAD_REQUIRE_REAL_FS=1 a skip fails) and the Python suite under
#     /usr/bin/python3 -m pytest;
#  2. the same C++ suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#     in build-asan/ (-DOFFLOAD_SANITIZE=ON); on by default, so CI runs it
#     (OFFLOAD_SANITIZE=0 skips it). Left out of it:
#     - the Python package and its tests (a sanitized extension module would
#       need libasan preloaded into Python);
#     - cli_cp_1gib: the same code paths as the engine's real-file tests
#       (engine_realfs_test, cli_cp_errors), at 9 GiB of I/O;
#     - nfs_guest, sg_guest, nvme_guest: the engine runs inside the QEMU guest as a fully static
#       program, and ASan cannot link static programs (g++: "cannot specify
#       -static with -fsanitize=address"), so build-asan does not build it;
#       its host-side parsers (mountstats, nfsd stats) run in
#       nfs_mountstats_test;
#     - lio_conformance: runs only libiscsi's iscsi-test-cu against LIO, none
#       of our code;
#     - cli_advise: 124 s under ASan (27 s in phase 1; CI 2026-12-05), for the
#       45-minute budget: its copies are the engine's (engine_realfs_test,
#       cli_cp_errors) and its probe, profile and model code run in
#       advise_unit_test and the calibration tests, which stay;
#     - bench_nvme_tcp_model_smoke: 67 s under ASan (CI 2026-12-05), a
#       parameter search that runs the NVMe-oF/TCP model's simulations over
#       and over; that model's code runs under ASan in sim_scenarios
#       (nvmeof-samsung, nvmeof-copy) and sim_test.
#     lio_xcopy stays: the sanitized `offload` drives LIO's EXTENDED COPY.
#  3. the libFuzzer targets built with clang-19 in build-fuzz/, each fuzzed for
#     OFFLOAD_FUZZ_SECONDS (default 20); only when asked (OFFLOAD_FUZZ=1). Their
#     seed corpora and saved findings are replayed in phase 1 (fuzz_*_replay).
#
# scripts/run-tests.sh --stress runs none of that; instead it builds the
# engine tests with ASan + UBSan (build-asan/, as phase 2) and runs
# engine_realfs_test (real files, faults, kills) and engine_fake_test
# OFFLOAD_STRESS_ROUNDS times (default 10) while two busy loops take CPU
# from them, then prints the pass/fail counts. Real filesystems are required.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizer_env() {
  # SimGrid (not built with ASan) switches actor stacks itself: ASan's
  # detect_stack_use_after_return fake stacks do not follow those switches.
  # The engine turns a failed buffer allocation into ENOMEM (a tested path):
  # allocator_may_return_null lets ASan's allocator fail as malloc would.
  export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1:allocator_may_return_null=1:strict_string_checks=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
}

configure_asan() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLOAD_SANITIZE=ON \
    -DOFFLOAD_BUILD_PYTHON=OFF -DOFFLOAD_BUILD_BENCH=OFF >/dev/null
}

if [ "${1:-}" = --stress ]; then
  rounds=${OFFLOAD_STRESS_ROUNDS:-10}
  tests=(engine_realfs_test engine_fake_test)
  echo "== stress: ${tests[*]} x $rounds under ASan + UBSan, beside two busy loops"
  configure_asan
  cmake --build build-asan -j "$(nproc)" --target "${tests[@]}" offload
  sanitizer_env
  export OFFLOAD_REQUIRE_REAL_FS=1
  hogs=()
  stop_hogs() {
    local pid
    for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    hogs=()
  }
  trap stop_hogs EXIT
  trap 'stop_hogs; exit 130' INT TERM
  for _ in 1 2; do (while :; do :; done) & hogs+=($!); done
  logs=build-asan/stress-logs
  mkdir -p "$logs"
  passed=0 failed=0
  for round in $(seq "$rounds"); do
    for test in "${tests[@]}"; do
      log=$logs/$test-$round.log start=$SECONDS
      # A bound only a hang reaches; timeout says so (exit 124).
      if timeout 1800 "build-asan/tests/$test" >"$log" 2>&1; then
        passed=$((passed + 1)); echo "ok   round $round $test ($((SECONDS - start)) s)"
      else
        rc=$?; failed=$((failed + 1))
        echo "FAIL round $round $test: exit $rc$([ $rc = 124 ] && echo ' (hung: killed after 1800 s)') ($((SECONDS - start)) s); log $log:"
        grep -E '^\[  FAILED|Failure|ERROR: |runtime error' "$log" | head -n 20 || tail -n 20 "$log"
      fi
    done
  done
  stop_hogs
  echo "stress: $passed passed, $failed failed"
  exit $((failed > 0))
fi
scripts/build.sh -DOFFLOAD_WERROR=ON
status=0
(cd build && ctest --output-on-failure --timeout 1800) || status=1
if compgen -G "python/tests/test_*.py" >/dev/null; then
  /usr/bin/python3 -m pytest -q python/tests || status=1
fi

if [ "${OFFLOAD_SANITIZE:-1}" != 0 ]; then
  echo "== sanitizers: ASan + UBSan build in build-asan/"
  start=$SECONDS
  configure_asan
  cmake --build build-asan -j "$(nproc)"
  echo "== sanitizers: build took $((SECONDS - start)) s"
  # The QEMU guests' kernel and initramfs are the same as phase 1's: share its cache.
  if [ -d build/guest-cache ] && [ ! -e build-asan/guest-cache ]; then ln -s ../build/guest-cache build-asan/guest-cache; fi
  sanitizer_env
  start=$SECONDS
  (cd build-asan && ctest --output-on-failure --timeout 1800 -E '^(cli_cp_1gib|cli_advise|bench_nvme_tcp_model_smoke|nfs_guest|lio_conformance)$') || status=1
  echo "== sanitizers: tests took $((SECONDS - start)) s"
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "${OFFLOAD_FUZZ:-}" = 1 ]; then
  echo "== fuzzing: libFuzzer targets in build-fuzz/ (clang-19)"
  CXX=clang++-19 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOFFLOAD_BUILD_FUZZ=ON \
    -DOFFLOAD_BUILD_TESTS=OFF -DOFFLOAD_BUILD_BENCH=OFF -DOFFLOAD_BUILD_PYTHON=OFF \
    -DOFFLOAD_FUZZ_SECONDS="${OFFLOAD_FUZZ_SECONDS:-20}" >/dev/null
  cmake --build build-fuzz -j "$(nproc)" --target fuzz_all
  (cd build-fuzz && ctest --output-on-failure -L fuzz) || status=1
fi
exit $status
