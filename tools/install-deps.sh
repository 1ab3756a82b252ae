#!/usr/bin/env bash
# Installs the Debian packages the build needs, only when one is missing. `make` calls it.
#   tools/install-deps.sh [--images]   --images: what tools/images/ builds, runs and pushes images with when no
#                                      Docker engine answers (buildah, podman, debootstrap, a registry)
set -euo pipefail

packages=(build-essential cmake ninja-build pkg-config libboost1.74-dev libboost-system1.74-dev libssl-dev
          rapidjson-dev libzstd-dev libyaml-cpp-dev libgoogle-glog-dev libgflags-dev catch2 openssl clang
          libclang-rt-14-dev curl ccache clang-format jq libhowardhinnant-date-dev tzdata)
if [[ "${1:-}" == --images ]]; then
  packages=(buildah podman runc debootstrap docker-registry skopeo)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) != 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
