#!/usr/bin/env bash
# Runs a spark-operator image in place of its binary, as deploy/ runs it: as the image's own user (65532), the
# root filesystem read-only with a tmpfs at /tmp, every capability dropped, no privilege escalation. The
# end-to-end scripts start "$SO_BIN_DIR/spark-operator-<service>"; with SO_BIN_DIR=tests/images/bin they start
# the images through this. Host networking: the local API server and the webhook listen on loopback.
#
#   run-image.bash <controller|initializer> [flag]...
# Env: SO_IMAGE_TAG (default test, what `make test-images` builds); SO_CONTROLLER_VARIANT: empty (with spark-submit) or -native.
# Flags naming host files are mapped into the container: --kubeconfig (flattened: the credentials it names are
# root's files here, and the container user could not read them), --cert-dir (mounted writable for 65532),
# --spark-submit (the image's own, /opt/spark/bin/spark-submit; dropped for the native variant, which has none).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../tools/images/engine.bash
. "$here/../../tools/images/engine.bash"

service="$1"
shift
tag="${SO_IMAGE_TAG:-test}"
image="spark-operator-$service:$tag"
[[ "$service" == controller ]] && image+="${SO_CONTROLLER_VARIANT:-}"

args=()
mounts=()
for arg in "$@"; do
  case "$arg" in
    --kubeconfig=*)
      flat="${arg#*=}.flat"
      kubectl --kubeconfig "${arg#*=}" config view --raw --flatten >"$flat"
      chmod 644 "$flat"
      mounts+=(-v "$flat:/etc/spark-operator/kubeconfig:ro")
      args+=(--kubeconfig=/etc/spark-operator/kubeconfig)
      ;;
    --cert-dir=*)
      dir="${arg#*=}"
      mkdir -p "$dir"
      chown 65532:65532 "$dir"
      mounts+=(-v "$dir:$dir")
      args+=("$arg")
      ;;
    --spark-submit=*)
      [[ "${SO_CONTROLLER_VARIANT:-}" == -native ]] || args+=(--spark-submit=/opt/spark/bin/spark-submit)
      ;;
    *) args+=("$arg") ;;
  esac
done
exec podman run --rm --network host --read-only --tmpfs /tmp:rw,mode=1777 --cap-drop=all \
  --security-opt no-new-privileges "${podman_run_options[@]}" "${mounts[@]}" "$image" "${args[@]}"
