#!/usr/bin/env bash
# Installs every Debian package the project needs (idempotent; run as root).
# Usage: scripts/install-deps.sh
set -euo pipefail

packages=(
  cmake g++ pkg-config make
  libsimgrid-dev python3-simgrid
  libbenchmark-dev libgtest-dev libgmock-dev
  libeigen3-dev pybind11-dev python3-pybind11
  libtoml11-dev libcli11-dev libfmt-dev nlohmann-json3-dev liburing-dev
  libjemalloc-dev                     # the simulator's malloc (CMake option OFFLOAD_JEMALLOC)
  python3-numpy python3-pandas python3-matplotlib python3-nbconvert
  python3-nbclient python3-ipykernel python3-pytest jupyter-core jupyter-nbconvert
  python3-distributed
  python3-scipy                       # bench/guest_model_vs_real.sh: bounded least squares
  xfsprogs btrfs-progs e2fsprogs util-linux coreutils
  chromium chromium-driver
  qemu-system-x86 busybox-static kmod cpio gzip
  libwrap0 libtirpc3 libgssapi-krb5-2   # libraries of the nfs-utils binaries copied into the NFS guest
  iproute2                            # its libraries, for the ip and tc copied into the guests (OFFLOAD_GUEST_VETH=1)
  libiscsi-dev libiscsi-bin tgt
  libnvme-dev                         # <nvme/types.h>: NVMe Identify, Copy and status layouts (engine/nvme/)
  clang libclang-rt-14-dev llvm
  clang-19 libclang-rt-19-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
