#!/usr/bin/env bash
# `offload advise` on XFS, btrfs and ext4 loop mounts and across them: the
# probe results (with how they were found), the recommendation's form, the
# --json schema, --verify, the errors (exit 2, naming the path or option),
# and no file left behind in the destination directory by any of them.
# One small `offload calibrate` makes the profiles (into a private directory).
# Usage: advise_test.sh OFFLOAD_BINARY
set -uo pipefail
offload=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/check_lib.sh"
root=$(mktemp -d /tmp/offload-advise-XXXXXX)
cleanup() {
  "$here/../targets/loopfs.sh" down "$root"
  rm -rf "$root/profiles" "$root/cal"
  rm -f "$root/calibrate.log" "$root/advice.json" "$root/advice.err"
  rmdir "$root"
}
trap cleanup EXIT

"$here/../targets/loopfs.sh" up "$root" 1G
rc=$?
if [ $rc -eq 77 ]; then
  if [ "${OFFLOAD_REQUIRE_REAL_FS:-}" = 1 ]; then echo "FAIL: OFFLOAD_REQUIRE_REAL_FS=1 but loop mounts are impossible"; exit 1; fi
  exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: loopfs up exited $rc"; exit 1; }
export XDG_STATE_HOME=$root/state  # never the user's profiles

"$offload" calibrate --dir "$root/xfs" --dir "$root/btrfs" --dir "$root/ext4" --sizes 2MiB,4MiB --queue-depths 1 \
  --repeat 2 --jobs 2 --out "$root/cal" --profile-dir "$root/profiles" > "$root/calibrate.log" 2>&1
rc=$?
ok [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -20 "$root/calibrate.log"
for fs in xfs btrfs ext4; do ok [ -s "$root/profiles/$fs.json" ]; done
# The write-back rates of each loop device (write + syncfs timed; write + sync_file_range timed, no cache flush),
# kept in the profile for the page-cache term and ext4's delayed-allocation wait.
for fs in xfs btrfs ext4; do
  ok /usr/bin/python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['fit']['filesystems'][0]; assert f['writeback_Bps'] > 1e6, f; assert f['page_writeback_Bps'] > 1e6, f" \
    "$root/profiles/$fs.json"
done

listing() { ls -A "$1" | grep -v '^lost+found$'; }
declare -A magic=([xfs]=0x58465342 [btrfs]=0x9123683e [ext4]=0xef53)
for fs in xfs btrfs ext4; do
  head -c 3M /dev/urandom > "$root/$fs/src"
  before=$(listing "$root/$fs")
  out=$("$offload" advise "$root/$fs/src" "$root/$fs/dst" --profile "$root/profiles/$fs.json" --queue-depth 1 2>&1)
  rc=$?
  echo "$out" | sed 's/^/     /'
  ok [ $rc -eq 0 ]
  ok grep -qE "source filesystem: +$fs +statfs f_type ${magic[$fs]}" <<<"$out"
  ok grep -qE "same filesystem: +yes +stat st_dev" <<<"$out"
  ok grep -qE "^ +page cache: vm.dirty_ratio [0-9]+ % and vm.dirty_background_ratio [0-9]+ % of MemAvailable .*: free-run up to .*; beyond it the data copies write at [0-9.]+ [KMG]iB/s" <<<"$out"
  # The block device under the mount: a loop device, read back from sysfs.
  ok grep -qE "block device: +loop[0-9]+ \(loop\) +/sys/dev/block/[0-9]+:[0-9]+ -> loop[0-9]+; backing file .*: no copy offload command" <<<"$out"
  if [ "$fs" = ext4 ]; then
    ok grep -qE "reflink \(clone\): +no +FICLONERANGE .*: EOPNOTSUPP" <<<"$out"
    ok grep -qE "copy_file_range: +copies data in the kernel +copy_file_range of 65536 bytes .*no shared extents" <<<"$out"
    ok grep -qE "^Recommended: (kernel-copy: in-kernel copy on ext4|host: read and write)" <<<"$out"
    # ext4_nonda_switch's inputs, read now: a 3 MiB copy on the 1 GiB mount never makes half its free space dirty.
    ok grep -qE "ext4: [0-9.]+ [KMG]iB free on disk, .* dirty \(statfs, /sys/fs/ext4/loop[0-9]+/delayed_allocation_blocks\): the copy stays under half the free space dirty" <<<"$out"
    ok grep -qE "^clone +not simulated: the FICLONERANGE probe failed: EOPNOTSUPP" <<<"$out"
  else
    ok grep -qE "reflink \(clone\): +yes +FICLONERANGE of the source's first 64 KiB into a temporary file in .*: ok" <<<"$out"
    ok grep -qE "copy_file_range: +remaps extents \(metadata only\) .*extents shared with the source" <<<"$out"
    # Metadata-only methods beat a data copy: the recommendation names one and compares it with host;
    # the other is the same kernel operation (copy_file_range remaps through remap_file_range).
    ok grep -qE "^Recommended: (clone: metadata-only on $fs|kernel-copy: copy_file_range remaps extents on $fs).* vs [0-9.]+ (us|ms|s) host \((clone|kernel-copy) is the same kernel operation here" <<<"$out"
  fi
  ok [ "$(listing "$root/$fs")" = "$before" ]
done

# Across filesystems: no clone, no copy_file_range (EXDEV); host only.
out=$("$offload" advise "$root/xfs/src" "$root/ext4/" --profile "$root/profiles/ext4.json" --queue-depth 1 2>&1)
rc=$?
echo "$out" | sed 's/^/     /'
ok [ $rc -eq 0 ]
ok grep -qE "same filesystem: +no " <<<"$out"
ok grep -qE "reflink \(clone\): +no .*: EXDEV" <<<"$out"
# copy_file_range across superblocks: EXDEV (no local filesystem here copies across them), so kernel-copy is left out.
ok grep -qE "copy_file_range: +fails +copy_file_range into a temporary file: EXDEV" <<<"$out"
ok grep -qE "^kernel-copy +not simulated: the copy_file_range probe failed: EXDEV" <<<"$out"
ok grep -qE "^host +[0-9.]+ (us|ms|s) " <<<"$out"
ok grep -qE "^Recommended: host: the only method this path allows" <<<"$out"
ok grep -q "Probe: $root/xfs/src -> $root/ext4/src" <<<"$out"

# JSON for scripts: the schema the Python binding reads.
"$offload" advise "$root/btrfs/src" "$root/btrfs/dst" --size 1GiB --json --profile "$root/profiles/btrfs.json" \
  > "$root/advice.json" 2>"$root/advice.err"
ok [ $? -eq 0 ]
ok /usr/bin/python3 - "$root/advice.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert a["kind"] == "offload-advice" and a["size_bytes"] == 1 << 30 and a["queue_depth"] == 8, a
p = a["probe"]
assert p["source_fs"] == p["destination_fs"] == "btrfs" and p["same_fs"] is True and p["clone"] is True, p
assert p["copy_file_range"] == "remaps" and p["nfs_version"] is None, p
assert all(set(f) == {"what", "result", "how"} for f in p["findings"]), p["findings"]
methods = {m["method"]: m for m in a["methods"]}
assert set(methods) == {"clone", "kernel-copy", "host"}, methods
for m in methods.values():
    assert m["predicted_s"] > 0 and m["throughput_Bps"] > 0 and m["client_cpu_s"] >= 0, m
    assert m["rms_relative_error"] is None or m["rms_relative_error"] >= 0, m
assert methods["host"]["user_space_bytes"] == 1 << 30 and methods["clone"]["user_space_bytes"] == 0
# Joules over each copy: a local path has no server or network; the shorter copy costs less.
for m in methods.values():
    parts = m["energy_J_by_part"]
    assert m["energy_J"] > 0 and parts["server"] == parts["network"] == 0, m
    assert abs(parts["client"] - m["energy_J"]) <= 1e-9 * m["energy_J"], m
assert methods["clone"]["energy_J"] < methods["host"]["energy_J"], methods
# Clone and the remapping copy_file_range are one kernel operation: the one with fewer calls (1 vs 16 at 1 GiB).
assert a["recommended"] == "clone" and methods["clone"]["operations"] < methods["kernel-copy"]["operations"], methods
assert "kernel-copy is the same kernel operation here" in a["reason"], a["reason"]
assert a["page_cache"].startswith("vm.dirty_"), a
assert all(m["operations"] > 0 for m in methods.values()), methods
assert sum(m["recommended"] for m in methods.values()) == 1
assert a["reason"].startswith(a["recommended"] + ": ")
# Clone remaps, the host copy moves 1 GiB through user space (by how much depends on the calibration's
# machine load: 70 ms vs 657 ms at load 11, under 10x).
assert methods["clone"]["predicted_s"] < methods["host"]["predicted_s"] / 3, methods
assert a["profile"]["fs"] == "btrfs" and "verify" not in a
PY

# --verify: every method copied for real into temporary files, removed afterwards.
before=$(listing "$root/xfs")
out=$("$offload" advise "$root/xfs/src" "$root/xfs/dst" --verify --repeat 2 --profile "$root/profiles/xfs.json" 2>&1)
rc=$?
echo "$out" | sed 's/^/     /'
ok [ $rc -eq 0 ]
ok grep -qE "^method +predicted .* energy J +measured +error +CPU s" <<<"$out"
ok grep -qE "^host +[0-9.]+ (us|ms|s) .* [0-9.]+ (us|ms|s) +[-+][0-9]+%" <<<"$out"
# Sub-10 ms copies (clone and the remapping copy_file_range of 3 MiB) are timed 15 times, with their spread.
ok grep -qE "^Measured: (clone|kernel-copy) was the fastest \([0-9.]+ (us|ms), 15 copies [0-9.]+ (us|ms)-[0-9.]+ (us|ms)\)" <<<"$out"
ok [ "$(listing "$root/xfs")" = "$before" ]

# Errors: exit 2, one clear line naming the path or option, nothing left behind.
before=$(listing "$root/xfs")
expect_message "missing source" 2 "SOURCE $root/xfs/nope: No such file or directory" 1 \
  "$offload" advise "$root/xfs/nope" "$root/xfs/dst"
expect_message "source is a directory" 2 "SOURCE $root/xfs: not a regular file" 1 \
  "$offload" advise "$root/xfs" "$root/btrfs/dst"
expect_message "missing destination directory" 2 "the directory $root/xfs/no/such does not exist" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/no/such/dst"
expect_message "profile of another filesystem" 2 "--profile $root/profiles/ext4.json: measured on ext4, but the destination $root/xfs is on xfs" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst" --profile "$root/profiles/ext4.json"
expect_message "no profile for the filesystem" 2 "no calibration profile for xfs" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst"
expect_message "profile that is not one" 2 "--profile $root/cal/validation.json: not a calibration profile" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst" --profile "$root/cal/validation.json"
expect_message "bad size" 2 "--size 12parsecs" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst" --size 12parsecs --profile "$root/profiles/xfs.json"
expect_message "size with --verify" 2 "--size 1GiB with --verify" 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst" --size 1GiB --verify --profile "$root/profiles/xfs.json"
expect_message "bad link rate" 2 "--link-rate fast: " 1 \
  "$offload" advise "$root/xfs/src" "$root/xfs/dst" --link-rate fast --profile "$root/profiles/xfs.json"
ok [ "$(listing "$root/xfs")" = "$before" ]
ok [ ! -e "$root/state" ]
finish
