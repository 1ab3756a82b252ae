#!/usr/bin/env bash
# The initializer image as the webhook of the local API server: tests/e2e/initializer_spark_submit.sh (real
# spark-submit, the stored driver pod mutated, /healthz answered, a bad annotation refused) with the image run
# read-only as user 65532 in place of the binary (run-image.bash).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SO_BIN_DIR="$here/bin" exec "$here/../e2e/initializer_spark_submit.sh"
