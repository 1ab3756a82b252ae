#!/usr/bin/env bash
# `make push` to a real registry: Debian's docker-registry (the reference registry server) on loopback. The
# pushed images are pulled back into a storage of their own (every layer from the registry), are the images
# pushed, and the pulled initializer runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tag="${SO_IMAGE_TAG:-test}"
fail() { echo "push_pull: FAIL: $*" >&2; [ -f "$work/registry.log" ] && tail -n 20 "$work/registry.log" >&2; exit 1; }
# shellcheck source=../../tools/images/engine.bash
. "$root/tools/images/engine.bash"

work="$(mktemp -d)"
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  "${fresh[@]}" rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$work/config.yml" <<YAML
version: 0.1
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$port}
YAML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null || fail "the registry did not answer on 127.0.0.1:$port"

registry="127.0.0.1:$port/spark-operator"
fresh=(podman --root "$work/store" --runroot "$work/run")
make -s -C "$root" image-tag="$tag" image-registry="$registry" push || fail "make push failed"
for image in "spark-operator-initializer:$tag" "spark-operator-controller:$tag" "spark-operator-controller:$tag-native"; do
  tags="$(curl -fsS "http://127.0.0.1:$port/v2/spark-operator/${image%%:*}/tags/list")"
  [[ "$tags" == *"\"${image#*:}\""* ]] || fail "the registry does not list $image: $tags"
  local_id="$(podman image inspect --format '{{.Id}}' "$image")"
  "${fresh[@]}" pull -q --tls-verify=false "$registry/$image" >/dev/null || fail "pulling $registry/$image back failed"
  [ "$("${fresh[@]}" image inspect --format '{{.Id}}' "$registry/$image")" = "$local_id" ] \
    || fail "$registry/$image pulled back is not the image pushed"
done
help="$("${fresh[@]}" run --rm "${podman_run_options[@]}" --read-only "$registry/spark-operator-initializer:$tag" --help 2>&1 || true)"
[[ "$help" == *"-metrics_port"* ]] || fail "the pulled initializer image did not run: $help"
for image in "spark-operator-initializer:$tag" "spark-operator-controller:$tag" "spark-operator-controller:$tag-native"; do
  podman rmi "$registry/$image" >/dev/null  # The tags make push added here.
done
echo "push_pull: PASS (3 images pushed to $registry, pulled back identical, the initializer runs)"
