#!/usr/bin/env bash
# Builds the object-store servers the log-shipping tests upload to, once, into the cache outside the checkout:
#   ${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}/bin/<project>-<version>/<binary>
# fake-gcs-server (a Google Cloud Storage emulator) and versitygw (an S3 gateway that checks Signature
# Version 4 and supports multipart uploads, over a plain directory). Versions come from tools/versions.env.
# Prints the paths of the binaries on success. Idempotent; safe to run concurrently (flock).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"

BIN="$SO_CACHE/bin"
FAKE_GCS_DIR="$BIN/fake-gcs-server-$FAKE_GCS_SERVER_VERSION"
VERSITYGW_DIR="$BIN/versitygw-$VERSITYGW_VERSION"
# shellcheck source=../lib/go_build.bash
source "$ROOT/tools/lib/go_build.bash"
GO_BUILD_HERE="$HERE" GO_BUILD_BIN="$BIN" GO_BUILD_NAME=stores/build.sh

go_build_lock
T0="$(go_build_now)"
if [[ ! -x "$FAKE_GCS_DIR/fake-gcs-server" || ! -x "$VERSITYGW_DIR/versitygw" ]]; then
  go_build_check_pin fake-gcs-server github.com/fsouza/fake-gcs-server "$FAKE_GCS_SERVER_VERSION"
  go_build_check_pin versitygw github.com/versity/versitygw "$VERSITYGW_VERSION"
fi
go_build fake-gcs-server "$FAKE_GCS_DIR" "-s -w" fake-gcs-server=github.com/fsouza/fake-gcs-server
go_build versitygw "$VERSITYGW_DIR" "-s -w -X main.Version=$VERSITYGW_VERSION" \
  versitygw=github.com/versity/versitygw/cmd/versitygw

echo "stores/build.sh: done in $(go_build_elapsed "$T0")"
echo "FAKE_GCS_SERVER=$FAKE_GCS_DIR/fake-gcs-server"
echo "VERSITYGW=$VERSITYGW_DIR/versitygw"
