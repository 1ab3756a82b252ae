#!/usr/bin/env bash
# api/openapi/core_v1.json, whose schemas the CRD embeds for core objects (tolerations, pod templates, ...), is
# exactly what the Kubernetes release in tools/versions.env publishes: a new pin without `tools/openapi/extract.sh`
# fails here. Integration: it reads the k8s.io/kubernetes module the local cluster's build downloaded.
set -euo pipefail
exec "$(cd "$(dirname "$0")/../.." && pwd)/tools/openapi/extract.sh" --check
