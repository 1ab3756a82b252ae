#!/usr/bin/env bash
# deploy/spark-operator.yaml (the one-file install) is what deploy/default renders today: fix with
#   make manifest
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$root/tools/render-manifest.sh" --check
