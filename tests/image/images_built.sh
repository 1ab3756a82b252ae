#!/usr/bin/env bash
# The images `make test-images` built (tools/images/build.sh test) are what deploy/ expects: they run as user
# 65532 with the binary as entrypoint; the initializer and the native controller are small and carry no shell;
# each has an OCI archive that loads. Prints the sizes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${SO_IMAGE_TAG:-test}"
archives="${SO_BIN_DIR:-$root/build/bin}/../images"
fail() { echo "images_built: FAIL: $*" >&2; exit 1; }
# shellcheck source=../../tools/images/engine.bash
. "$root/tools/images/engine.bash"

check() { # <image> <entrypoint binary> <max MB, 0: no limit> <shell expected: yes|no>
  local image="$1" binary="$2" max_mb="$3" shell="$4" user entrypoint size archive
  podman image exists "$image" || fail "$image was not built"
  user="$(podman image inspect --format '{{.Config.User}}' "$image")"
  [ "$user" = 65532:65532 ] || fail "$image runs as '$user', not 65532:65532"
  entrypoint="$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")"
  [ "$entrypoint" = "[\"/usr/local/bin/$binary\"]" ] || fail "$image entrypoint is $entrypoint"
  size="$(($(podman image inspect --format '{{.Size}}' "$image") / 1000000))"
  if ((max_mb > 0 && size >= max_mb)); then fail "$image is $size MB, not under $max_mb MB"; fi
  if podman run --rm "${podman_run_options[@]}" --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1; then
    [ "$shell" = yes ] || fail "$image has a shell"
  else
    [ "$shell" = no ] || fail "$image has no /bin/sh"
  fi
  archive="$archives/${image/:/-}.oci.tar"
  [ -s "$archive" ] || fail "no OCI archive $archive"
  [ "$(skopeo inspect --config "oci-archive:$archive" | jq -r .config.User)" = 65532:65532 ] \
    || fail "$archive does not hold $image's configuration"
  echo "images_built: $image: $size MB, user $user, entrypoint $entrypoint, shell: $shell, archive ok"
}
check "spark-operator-initializer:$tag" spark-operator-initializer 100 no
check "spark-operator-controller:$tag-native" spark-operator-controller 100 no
check "spark-operator-controller:$tag" spark-operator-controller 0 yes
echo "images_built: PASS"
