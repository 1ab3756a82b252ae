#!/usr/bin/env bash
# Pushes spark-operator-controller:<tag> and spark-operator-initializer:<tag>, built by `make image`, to
# <registry>/spark-operator-{controller,initializer}:<tag> (`make image-tag=<tag> image-registry=<host/prefix> push`
# calls this). It uses the engine `make image` builds with: Docker when an engine answers. Without one, or
# without a registry, it says so and exits non-zero: nothing was pushed.
#
#   tools/push-images.sh <tag> <registry>
set -euo pipefail

tag="${1:-latest}"
registry="${2:-}"
log() { echo "push-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid image tag '$tag'"
[[ -n "$registry" ]] || die "no registry given: make image-tag=$tag image-registry=<host[:port]/prefix> push"
[[ "$registry" =~ ^[A-Za-z0-9._:/-]+$ && "$registry" != */ ]] || die "invalid registry '$registry' (host[:port][/prefix])"
if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  die "no container engine answers ('docker info' fails), so no image was built and none can be pushed"
fi
for service in controller initializer; do
  local_name="spark-operator-$service:$tag"
  remote="$registry/spark-operator-$service:$tag"
  docker image inspect "$local_name" >/dev/null 2>&1 || die "$local_name does not exist: run make image-tag=$tag image first"
  log "docker push $remote"
  docker tag "$local_name" "$remote"
  docker push "$remote"
done
log "pushed $registry/spark-operator-controller:$tag and $registry/spark-operator-initializer:$tag"
