#!/usr/bin/env bash
# Upload and read-back throughput of the log-shipping object stores on loopback: fake-gcs-server and versitygw
# (tools/stores/, started here in a temporary directory and stopped afterwards) and a local directory.
#
#   bench/store_upload.sh [MiB=64] [part MiB=8] [BUILD_DIR=build]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIB="${1:-64}"
PART="${2:-8}"
BIN="${3:-$ROOT/build}/bin/store_upload"
[[ -x "$BIN" ]] || { echo "store_upload.sh: $BIN not built (cmake --build build --target store_upload)" >&2; exit 1; }
# shellcheck source=../tools/stores/stores.bash
source "$ROOT/tools/stores/stores.bash"
DIR="$(mktemp -d)"
trap 'stores_stop "$DIR/gcs"; stores_stop "$DIR/s3"; rm -rf "$DIR"' EXIT

stores_start gcs "$DIR/gcs" --bucket bench
"$BIN" --url=gs://bench/run --gcs_endpoint="$STORE_ENDPOINT" --mib="$MIB" --part_mib="$PART"
stores_start s3 "$DIR/s3" --bucket bench
AWS_ACCESS_KEY_ID="$STORE_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$STORE_S3_SECRET_KEY" \
  AWS_REGION="$STORE_S3_REGION" AWS_ENDPOINT_URL_S3="$STORE_ENDPOINT" \
  "$BIN" --url=s3://bench/run --s3_path_style --mib="$MIB" --part_mib="$PART"
"$BIN" --url="file://$DIR/files" --mib="$MIB" --part_mib="$PART"
