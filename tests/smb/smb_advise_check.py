"""The `offload advise` half of ctest smb_guest: after smb_guest_test and
the `offload cp` script, the guest shapes the veth pair between the SMB
client's network namespace and the server with tc (tbf, both ends, RATE)
and runs `offload advise` from the client's namespace on each share. It
must find the dialect, the shaped rate on the route to the server, and what
the server does with the probes (/proc/fs/cifs/Stats): on the XFS share
both copychunk (copy_file_range) and duplicate extents (FICLONERANGE), on
the ext4 share copychunk only (ksmbd refuses duplicate extents there);
then simulate those methods against the host copy and recommend a
server-side one as network-bound, with what it gains. The client's CPU
constants are guest_advise.GUEST_PROFILE (calibrated in the NFS guest: the
same emulated CPU; as nfs_advise_check.py).
"""
import guest_advise

RATE = "50mbit"          # tc's unit: 50 * 10^6 bit/s
RATE_BPS = 50e6 / 8      # bytes/s
SIZE = "32MiB"           # the copy advised on (the probe itself copies 64 KiB); simulated in the guest
SHARES = {"XFS": ("$OFFLOAD_SMB_XFS_EXPORT", "$OFFLOAD_SMB_XFS"), "EXT4": ("$OFFLOAD_SMB_EXT4_EXPORT", "$OFFLOAD_SMB_EXT4")}


def prepare(args, tests):
    """The ctest's guest lines after the program and cli.sh: shape to RATE, advise on SIZE on both shares."""
    guest_advise.install_offload(args.offload, tests, guest_advise.GUEST_PROFILE)
    lines = f"# offload advise on the SMB mounts, the veth pair shaped to {RATE}\n" + guest_advise.shape_lines(RATE)
    for label, (export, mount) in SHARES.items():
        lines += guest_advise.advise_lines(label, 4 << 20, f"--size {SIZE}", export, mount)
    return lines


def check(log):
    """Prints both advices and returns the number of failed assertions."""
    failures = 0
    for label, clones in (("XFS", True), ("EXT4", False)):
        advice = guest_advise.find_advice(log, label, "smb_guest",
                                          f"offload advise on the {label} share over SMB, link shaped to {RATE} (tbf)")
        if advice is None:
            failures += 1
            continue
        probe, methods = advice["probe"], {m["method"]: m for m in advice["methods"]}
        server = ("clone", "kernel-copy") if clones else ("kernel-copy",)
        checks = [
            ("the dialect from the mount (3.1.1)", probe.get("smb_dialect") == "3.1.1"),
            ("the server's copychunk recognised", probe.get("smb_server_copychunk") is True),
            (f"duplicate extents {'offered' if clones else 'refused'}", probe.get("smb_duplicate_extents") is clones),
            ("the SMB model simulated", advice["scenario"].startswith("SMB")),
            ("copychunk simulated", "kernel-copy" in methods),
            (f"duplicate extents {'simulated' if clones else 'left out'}", ("clone" in methods) == clones),
        ] + guest_advise.link_checks(advice, RATE, RATE_BPS, statfs_round_trips=3) + guest_advise.network_bound_checks(advice, "50 Mb/s", server)
        failures += guest_advise.count_failures(checks)
    return failures
