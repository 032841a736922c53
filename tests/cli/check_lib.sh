# Shared by the CLI check scripts (sourced): pass/fail counters, `ok` and
# `expect_message`, and `finish`, which prints the counts and sets the status.
passed=0; failed=0

# Seconds a command may take before it counts as hung: only a hang reaches it,
# also under ASan on a loaded machine.
check_bound_s=${OFFLOAD_CHECK_BOUND_S:-120}

# expect_message DESCRIPTION CODE TEXT MAX_LINES COMMAND...: exit CODE, stderr
# holds TEXT in at most MAX_LINES lines, and no sign of a crash or a traceback.
expect_message() {
  local what=$1 code=$2 text=$3 max_lines=$4; shift 4
  local out rc lines
  out=$(timeout "$check_bound_s" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 124 ] && out="$out[hung: still running after ${check_bound_s} s (OFFLOAD_CHECK_BOUND_S), killed]"
  # Sanitizer phase: ASan warns once per SimGrid process that it cannot follow
  # SimGrid's own actor stacks when an exception unwinds one (not an error).
  out=$(grep -v -e 'ASan is ignoring requested __asan_handle_no_return' -e 'False positive error reports may follow' -e 'google/sanitizers/issues/189' <<<"$out")
  lines=$(printf '%s' "$out" | grep -c '')
  if [ "$rc" -eq "$code" ] && [[ "$out" == *"$text"* ]] && [ "$lines" -le "$max_lines" ] &&
     ! grep -qE 'Traceback|terminate called|Aborted|Sanitizer|runtime error|Segmentation|what\(\)' <<<"$out"; then
    passed=$((passed + 1)); echo "ok   $what: $(head -1 <<<"$out")"
  else
    failed=$((failed + 1)); echo "FAIL $what: exit $rc (want $code), message: $out"
  fi
}

ok() { if "$@"; then passed=$((passed + 1)); echo "ok   $*"; else failed=$((failed + 1)); echo "FAIL $*"; fi; }

finish() { echo "$passed passed, $failed failed"; [ $failed -eq 0 ]; }
