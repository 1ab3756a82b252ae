#!/usr/bin/env bash
# Apache Spark's real spark-submit creates a driver pod on the local cluster, with certificate and token auth.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/tools/spark/fetch.sh" >/dev/null
exec "$root/tools/spark/submit-smoke.sh" "${SO_CLUSTER_DIR:-$root/.local/cluster}/env"
