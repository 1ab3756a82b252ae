#!/usr/bin/env bash
# Pushes the images `make image` built to <registry>/<image>:<tag> (`make image-tag=<tag>
# image-registry=<host[:port]/prefix> push` calls this): spark-operator-initializer:<tag>,
# spark-operator-controller:<tag> and spark-operator-controller:<tag>-native. With the engine `make image`
# builds with (tools/images/engine.bash). Without a registry, an engine or the images, it says so and exits
# non-zero: nothing was pushed.
#
#   tools/images/push.sh <tag> <registry>
# A registry on loopback (localhost, 127.0.0.1) is spoken to over plain HTTP, as a local registry serves.
set -euo pipefail

tag="${1:-latest}"
registry="${2:-}"
log() { echo "images/push: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$ ]] || die "invalid image tag '$tag'"
[[ -n "$registry" ]] || die "no registry given: make image-tag=$tag image-registry=<host[:port]/prefix> push"
[[ "$registry" =~ ^[A-Za-z0-9._:/-]+$ && "$registry" != */ ]] || die "invalid registry '$registry' (host[:port][/prefix])"
# shellcheck source=engine.bash
. "$(dirname "${BASH_SOURCE[0]}")/engine.bash"
pick_engine
[[ -n "$engine" ]] || die "no container engine answers ('docker info' and 'podman info' fail), so nothing can be pushed"

tls=()
case "${registry%%/*}" in localhost | localhost:* | 127.0.0.1 | 127.0.0.1:*)
  [[ "$engine" == podman ]] && tls=(--tls-verify=false) ;;
esac
for image in "spark-operator-initializer:$tag" "spark-operator-controller:$tag" "spark-operator-controller:$tag-native"; do
  "$engine" image inspect "$image" >/dev/null 2>&1 || die "$image does not exist: run make image-tag=$tag image first"
  remote="$registry/$image"
  log "$engine push $remote"
  "$engine" tag "$image" "$remote"
  "$engine" push "${tls[@]}" "$remote"
done
log "pushed spark-operator-initializer:$tag, spark-operator-controller:$tag and :$tag-native to $registry"
