#!/usr/bin/env bash
# Builds the images from docker/*.Dockerfile (`make image image-tag=<tag>` calls this):
#   spark-operator-initializer:<tag>       the webhook (binary and shared libraries only)
#   spark-operator-controller:<tag>        the controller with a JRE and spark-submit (what deploy/ uses)
#   spark-operator-controller:<tag>-native the controller alone, for --submitter=native without the fallback
# With Docker when an engine answers; otherwise with buildah (installed by tools/install-deps.sh --images), after
# making the Debian base images locally when they cannot be pulled (tools/images/base.sh). It prints each
# image's size and writes an OCI archive of each to <build dir>/images/ for air-gapped loading
# (`podman load -i` or `skopeo copy oci-archive:...`).
#
# On the Debian release the Dockerfiles name, the binaries are built here (ccache makes that quick) and handed
# to the Dockerfiles (BINARY_FROM=prebuilt); elsewhere, or with IMAGE_BINARIES=source, the Dockerfiles compile
# them (tens of minutes on 2 cores: the whole build runs in the build stage, without ccache).
#   tools/images/build.sh [<tag>]     Env: BUILD_DIR (default build), JOBS (default 2), IMAGE_BINARIES
set -euo pipefail

tag="${1:-latest}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
log() { echo "images/build: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$ ]] || die "invalid image tag '$tag'"
# shellcheck source=engine.bash
. "$root/tools/images/engine.bash"

build_dir="$(mkdir -p "${BUILD_DIR:-build}" && cd "${BUILD_DIR:-build}" && pwd)"
jobs="${JOBS:-2}"
release="$(sed -n 's/^ARG DEBIAN_RELEASE=//p' docker/controller.Dockerfile | head -n1)"
start=$SECONDS

pick_engine
if [[ -z "$engine" ]]; then
  log "no Docker engine answers: installing buildah and podman (tools/install-deps.sh --images)"
  tools/install-deps.sh --images
  pick_engine
  [[ -n "$engine" ]] || die "neither a Docker engine nor buildah with podman is usable here ('podman info' fails)"
fi

context="$root"
binary_from=build
if [[ "${IMAGE_BINARIES:-}" != source && "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" == "$release" ]]; then
  log "building the binaries here (Debian $release, as the images): cmake --build $build_dir"
  tools/install-deps.sh
  [[ -f "$build_dir/build.ninja" ]] || cmake -S . -B "$build_dir" -G Ninja >/dev/null
  cmake --build "$build_dir" --target spark-operator-controller spark-operator-initializer -j "$jobs"
  # The context of a prebuilt build: the binaries, and the files the Dockerfiles copy besides the sources.
  context="$build_dir/image-context"
  rm -rf "$context"
  mkdir -p "$context/bin" "$context/docker" "$context/tools"
  for service in controller initializer; do
    strip -o "$context/bin/spark-operator-$service" "$build_dir/bin/spark-operator-$service"
  done
  cp docker/collect-libs.sh "$context/docker/"
  cp -r tools/spark tools/versions.env "$context/tools/"
  rm -rf "$context/tools/spark/target"
  binary_from=prebuilt
fi
# Given even when it is the Dockerfiles' default: buildah 1.28 does not apply an ARG's default to a FROM that
# names a stage.
build_args=(--build-arg "DEBIAN_RELEASE=$release" --build-arg "BINARY_FROM=$binary_from")

# <Dockerfile> <image> [option]...
build() {
  local dockerfile="$1" image="$2"
  shift 2
  log "$engine: building $image"
  if [[ "$engine" == docker ]]; then
    docker build -f "$dockerfile" -t "$image" "${build_args[@]}" "$@" "$context"
  else
    # --layers: reuse unchanged steps (the apt-get installs, the Spark download) on the next build. buildah
    # 1.28 does not look for <Dockerfile>.dockerignore itself, as BuildKit does.
    local ignore=()
    [[ "$context" == "$root" ]] && ignore=(--ignorefile "$dockerfile.dockerignore")
    buildah bud --isolation chroot --layers --pull=missing -f "$dockerfile" -t "$image" "${ignore[@]}" \
      "${build_args[@]}" "$@" "$context"
  fi
}

if [[ "$engine" == podman ]]; then tools/images/base.sh "$release"; fi
mkdir -p "$HOME/.m2"
m2=()
[[ "$engine" == podman ]] && m2=(-v "$HOME/.m2:/root/.m2")  # Maven's downloads, shared with tools/spark/fetch.sh
images=("spark-operator-initializer:$tag" "spark-operator-controller:$tag-native" "spark-operator-controller:$tag")
build "$root/docker/initializer.Dockerfile" "${images[0]}"
build "$root/docker/controller.Dockerfile" "${images[1]}" --target native
build "$root/docker/controller.Dockerfile" "${images[2]}" "${m2[@]}"

mkdir -p "$build_dir/images"
for image in "${images[@]}"; do
  archive="$build_dir/images/${image/:/-}.oci.tar"
  rm -f "$archive"
  if [[ "$engine" == docker ]]; then
    docker save -o "$archive" "$image"  # Docker's save format; `docker load -i` reads it.
  else
    podman save -q --format oci-archive -o "$archive" "$image"
  fi
  size="$("$engine" image inspect --format '{{.Size}}' "$image")"
  printf 'images/build: %-48s %5d MB   %s\n' "$image" "$((size / 1000000))" "$archive" >&2
done
log "built ${#images[@]} images with $engine in $((SECONDS - start)) s"
