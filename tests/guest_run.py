"""Runs a static test program inside one of the QEMU guests
(tests/targets/guest/NAME-guest.sh) for a ctest check script: the shared
half of nfs_guest_check.py and smb_guest_check.py.

Exit codes follow ctest's: 1 fail, 77 skip (a failure instead when
OFFLOAD_REQUIRE_REAL_FS=1).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time


def skip_or_fail(test, reason):
    """Skips `test` (exit 77), or fails it under OFFLOAD_REQUIRE_REAL_FS=1."""
    if os.environ.get("OFFLOAD_REQUIRE_REAL_FS") == "1":
        print(f"{test}: FAIL (OFFLOAD_REQUIRE_REAL_FS=1): {reason}")
        sys.exit(1)
    print(f"{test}: SKIP: {reason}")
    sys.exit(77)


def add_cli_script(test, tests, offload, script, guest_dir):
    """Puts `offload` with its shared libraries (TESTS/root, the guest's /)
    and `script` (as cli.sh) into the guest's /test, for a run after the program."""
    shutil.copy(offload, os.path.join(tests, "offload"))
    shutil.copy(script, os.path.join(tests, "cli.sh"))
    copied = subprocess.run(["bash", "-c", f'. "{guest_dir}/common.sh" && guest_copy_libraries "$0" "$1"',
                             offload, os.path.join(tests, "root")], capture_output=True, text=True)
    if copied.returncode != 0:
        print(f"{test}: FAIL: cannot gather the libraries of {offload}: {copied.stderr.strip()}")
        sys.exit(1)


def add_dynamic_program(tests, binary):
    """Copies a dynamically linked `binary` into the guest's /test with its
    shared libraries (ldd) in /test/lib: run it there with
    LD_LIBRARY_PATH=/test/lib (the guest overlays bring /lib64's loader)."""
    os.makedirs(os.path.join(tests, "lib"), exist_ok=True)
    shutil.copy(binary, os.path.join(tests, os.path.basename(binary)))
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    for lib in re.findall(r"=> (/\S+) \(0x", ldd):
        shutil.copy(os.path.realpath(lib), os.path.join(tests, "lib", os.path.basename(lib)))


def run_in_guest(test, program, guest_script, result_prefix, what, args, cli_script=None, prepare=None):
    """Boots the guest `guest_script` (in args.guest_dir) with the static
    `args.test_binary` installed as `program`; prints the program's own
    output (not the kernel's lines nor those starting with `result_prefix`)
    and returns the whole serial log. `what` names the guest in messages.
    After the program the guest runs `cli_script` (as cli.sh, with
    args.offload and its libraries) when given, and the shell lines
    `prepare(args, tests)` returns when given (it may add files to the
    guest's /test directory `tests`; the lines may set rc=1 to fail the run)."""
    ldd = subprocess.run(["ldd", args.test_binary], capture_output=True, text=True)
    if "not a dynamic executable" not in ldd.stdout + ldd.stderr:
        print(f"{test}: FAIL: {args.test_binary} is dynamically linked; the guest has no libraries:\n{ldd.stdout}")
        sys.exit(1)
    shutil.rmtree(args.work, ignore_errors=True)
    state, tests = os.path.join(args.work, "state"), os.path.join(args.work, "test")
    os.makedirs(tests)
    shutil.copy(args.test_binary, os.path.join(tests, program))
    after = ""
    if cli_script:
        add_cli_script(test, tests, args.offload, cli_script, args.guest_dir)
        after += "sh ./cli.sh || rc=1\n"
    if prepare:
        after += prepare(args, tests)
    with open(os.path.join(tests, "run"), "w") as f:
        if after:
            f.write(f"#!/bin/sh\n./{program} --gtest_color=no; rc=$?\n{after}\nexit $rc\n")
        else:
            f.write(f"#!/bin/sh\nexec ./{program} --gtest_color=no\n")
    os.chmod(os.path.join(tests, "run"), 0o755)
    start = time.monotonic()
    proc = subprocess.run(["bash", os.path.join(args.guest_dir, guest_script), state, tests])
    print(f"guest total (build initramfs, boot, tests, power off): {time.monotonic() - start:.1f} s")
    path = os.path.join(state, "serial.log")
    log = open(path, errors="replace").read() if os.path.exists(path) else ""
    # The program's own output: every line but the kernel's "[   1.234] ..." ones.
    print("\n".join(line for line in log.splitlines()
                    if not re.match(r"^\[\s*\d+\.\d+\]", line) and not line.startswith(result_prefix)))
    if proc.returncode == 77:
        skip_or_fail(test, f"the {what} guest cannot start here (see above)")
    if proc.returncode != 0:
        print(f"{test}: FAIL: the tests in the guest failed (exit {proc.returncode}); serial log {path}")
        sys.exit(1)
    return log


def measure_in_guest(test, program, guest_script, result_prefix, what, cli_script=None, prepare=None):
    """A check script's start: reads --test-binary, --offload, --guest-dir and
    --work, runs the guest (run_in_guest, with `cli_script` after the
    program when given), and returns (args, serial log, the
    JSON of the program's `result_prefix` line, also saved as
    WORK/measured.json); fails the test when that line is missing.
    `prepare` as in run_in_guest."""
    parser = argparse.ArgumentParser()
    for name in ("--test-binary", "--offload", "--guest-dir", "--work"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # keep our lines in order with the guest scripts' output
    log = run_in_guest(test, program, guest_script, result_prefix, what, args, cli_script, prepare)
    found = re.search(rf"^{result_prefix} (\{{.*\}})\s*$", log, re.M)
    if not found:
        print(f"{test}: FAIL: no {result_prefix} line in the serial log")
        sys.exit(1)
    result = json.loads(found.group(1))
    with open(os.path.join(args.work, "measured.json"), "w") as f:
        json.dump(result, f, indent=1)
    return args, log, result
