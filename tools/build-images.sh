#!/usr/bin/env bash
# Builds the container images spark-operator-controller:<tag> and spark-operator-initializer:<tag> from
# docker/*.Dockerfile (`make image image-tag=<tag>` calls this).
#
#   tools/build-images.sh [<tag>]        # default tag: latest
#
# With no Docker engine to talk to (`docker info` fails), it says so and runs the Dockerfiles' build steps on
# this machine instead, so they are proven: tools/install-deps.sh, the cmake build of both binaries,
# tools/spark/fetch.sh. Then it checks each binary starts (--help) and needs no shared library outside what its
# runtime image installs (RUNTIME_PACKAGES in the Dockerfile, plus the base image's libc/libstdc++), and that
# the Spark launcher runs. Exits 0 when all of that holds; no image exists afterwards.
#   BUILD_DIR  build tree of the fallback (default .local/image-build)   JOBS  parallel jobs (default: nproc)
set -euo pipefail

tag="${1:-latest}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
services=(controller initializer)

log() { echo "build-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid image tag '$tag'"

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  for service in "${services[@]}"; do
    log "docker build -f docker/$service.Dockerfile -t spark-operator-$service:$tag ."
    docker build -f "docker/$service.Dockerfile" -t "spark-operator-$service:$tag" .
  done
  log "built spark-operator-controller:$tag and spark-operator-initializer:$tag"
  exit 0
fi

log "no Docker engine available ('docker info' fails): the images are NOT built."
log "running the Dockerfiles' build steps on this machine instead, to prove them."

build_dir="${BUILD_DIR:-$root/.local/image-build}"
jobs="${JOBS:-$(nproc)}"

log "step 1/4: tools/install-deps.sh (build stage)"
tools/install-deps.sh

log "step 2/4: cmake build of spark-operator-controller and spark-operator-initializer in $build_dir"
[[ -f controller/main.cc ]] || die "controller/main.cc does not exist yet: the controller binary cannot be built"
cmake -S . -B "$build_dir" -G Ninja >/dev/null
cmake --build "$build_dir" --target spark-operator-controller spark-operator-initializer -j "$jobs"

log "step 3/4: tools/spark/fetch.sh (spark stage)"
spark_home="$(tools/spark/fetch.sh | sed -n 's/^SPARK_HOME=//p')"
[[ -n "$spark_home" && -x "$spark_home/bin/spark-submit" ]] || die "tools/spark/fetch.sh gave no usable SPARK_HOME"
"$spark_home/bin/spark-submit" --version 2>&1 | grep -q "version" || die "$spark_home/bin/spark-submit --version failed"

log "step 4/4: checking the binaries against their runtime images"
# The package that ships a resolved library path (merged /usr: dpkg may know it under /lib or /usr/lib).
package_of() {
  local path="$1" p owner
  for p in "$path" "${path#/usr}" "/usr${path}"; do
    owner="$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1)"
    if [[ -n "$owner" ]]; then echo "$owner"; return 0; fi
  done
  return 1
}
base_packages="libc6 libstdc++6 libgcc-s1 zlib1g"  # in debian:bookworm-slim already
for service in "${services[@]}"; do
  binary="$build_dir/bin/spark-operator-$service"
  [[ -x "$binary" ]] || die "$binary was not built"
  # gflags prints the usage and exits 1 on --help; what matters is that it loads and lists its flags.
  help="$("$binary" --help 2>&1 || true)"
  if ! grep -q -- "-metrics_port" <<<"$help"; then
    die "$binary --help did not print its flags:
$help"
  fi
  allowed="$base_packages $(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"/\1/p' "docker/$service.Dockerfile")"
  libs="$(ldd "$binary")"
  if grep -q "not found" <<<"$libs"; then die "$binary: unresolved libraries: $(grep 'not found' <<<"$libs")"; fi
  used=()
  for lib in $(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }'); do
    path="$(awk -v l="$lib" '$1 == l && $2 == "=>" { print $3 }' <<<"$libs")"
    package="$(package_of "$(readlink -f "$path")" || package_of "$path")" || die "$binary: no package ships $lib ($path)"
    [[ " $allowed " == *" $package "* ]] ||
      die "$binary needs $lib from $package, which docker/$service.Dockerfile does not install (RUNTIME_PACKAGES)"
    [[ " ${used[*]} " == *" $package "* ]] || used+=("$package")
  done
  log "  spark-operator-$service: --help ok; its libraries come from ${used[*]}"
done

log "OK: the build steps of docker/controller.Dockerfile and docker/initializer.Dockerfile work here"
log "    (binaries in $build_dir/bin, Spark in $spark_home); no image was built (no Docker engine)."
