#!/usr/bin/env bash
# Starts an object-store server on loopback, or finds it running, and prints its variables (KEY=VALUE lines,
# also in <dir>/env):
#   tools/stores/start.sh gcs|s3 <dir> [--port N] [--bucket NAME]...
# The server runs on after this script (tools/stores/stop.sh <dir> ends it); a later start of the same <dir>
# takes the same port and finds the same data. Builds the servers first if needed (tools/stores/build.sh).
set -euo pipefail
# shellcheck source=stores.bash
source "$(dirname "${BASH_SOURCE[0]}")/stores.bash"
(($# >= 2)) || { echo "usage: $0 gcs|s3 <dir> [--port N] [--bucket NAME]..." >&2; exit 2; }
stores_start "$@"
cat "$STORE_DIR/env"
