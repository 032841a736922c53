"""The `offload advise` half of ctest nfs_guest: after nfs_guest_test, the
guest shapes the veth pair between the NFS client's network namespace and
the server with tc (tbf, both ends, RATE) and runs `offload advise` on the
NFS mount from the client's namespace. The advice must have found the
server's COPY, the shaped rate on the route to the server, and recommend a
server-side method as network-bound, with what it gains.

The client's CPU constants are the profile `offload calibrate` wrote in
this guest (guest_advise.GUEST_PROFILE, recorded: calibrating in every run
would take minutes of emulation). At RATE the link, not the emulated CPU,
bounds the host copy (measured: 8 MiB in 3.8 s at 20 Mb/s, 1.1 s at 400).
"""
import guest_advise
from guest_advise import GUEST_PROFILE, PROFILE, count_failures, install_offload, network_bound_checks, shape_lines  # noqa: F401

RATE = "50mbit"          # tc's unit: 50 * 10^6 bit/s
RATE_BPS = 50e6 / 8      # bytes/s
SIZE = "32MiB"           # the copy advised on (the probe itself copies 64 KiB); simulated in the guest


def advise_lines(label, source_bytes, options):
    """guest_advise.advise_lines on the NFS export and mount."""
    return guest_advise.advise_lines(label, source_bytes, options, "$OFFLOAD_NFS_EXPORT", "$OFFLOAD_NFS_DIR")


def prepare(args, tests):
    """The ctest's guest lines after nfs_guest_test: shape to RATE, advise on SIZE."""
    install_offload(args.offload, tests, GUEST_PROFILE)
    return (f"# offload advise on the NFS mount, the veth pair shaped to {RATE}\n" + shape_lines(RATE)
            + advise_lines("CHECK", 4 << 20, f"--size {SIZE}"))


def check(log):
    """Prints the advice and returns the number of failed assertions."""
    advice = guest_advise.find_advice(log, "CHECK", "nfs_guest", f"offload advise on the NFS mount, link shaped to {RATE} (tbf)")
    if advice is None:
        return 1
    methods = {m["method"]: m for m in advice["methods"]}
    checks = [
        ("the server's COPY recognised", advice["probe"].get("nfs_server_copy") is True),
        ("server-side COPY simulated", "kernel-copy" in methods),
    ] + guest_advise.link_checks(advice, RATE, RATE_BPS) + network_bound_checks(advice, "50 Mb/s", ("kernel-copy", "clone"))
    return count_failures(checks)
