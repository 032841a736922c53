#!/usr/bin/env bash
# Simulated vs real time on remote paths, in the QEMU guests (TCG, no KVM):
# host copy vs nfsd COPY (sync, async) over NFSv4.2 and host read/write vs
# LIO EXTENDED COPY over iSCSI, at each size and tc link rate on a veth
# pair; a scenario per path from the guests' measured inputs, fitted on the
# first rate's points (or even repetitions), predicting the others.
# Writes OUT/guest-model-vs-real.json (for `offload report OUT`) and prints
# the table. Options: see --help (bench/guest_model_vs_real.py).
#   bench/guest_model_vs_real.sh [--build build] [--out reports] [--sizes 4MiB,16MiB,64MiB]
#                                [--rates unthrottled,50mbit] [--repeat 5] [--smoke]
# Exit 77 when QEMU or the guests' downloads are unavailable (1 instead with
# OFFLOAD_REQUIRE_REAL_FS=1). As root (the guests' disk images, drop_caches inside).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/guest_model_vs_real.py" "$@"
