#!/usr/bin/env bash
# deploy/spark-operator.yaml: everything deploy/default installs (CRDs, namespace, RBAC, controller, initializer
# webhook) in one file, for `kubectl create -f deploy/spark-operator.yaml` without kustomize. Rendered from
# deploy/default with `kubectl kustomize`; `make manifest` and `make crd` rewrite it, and the unit test
# tests/unit/manifest_check.sh fails when it is stale.
#   tools/render-manifest.sh           rewrite deploy/spark-operator.yaml
#   tools/render-manifest.sh --check   exit 1, with a diff, when it differs from what deploy/default renders
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/deploy/spark-operator.yaml"
command -v kubectl >/dev/null || { echo "render-manifest: kubectl is not installed" >&2; exit 1; }

render() {
  printf '%s\n' \
    "# Generated from deploy/default by tools/render-manifest.sh (make manifest); edit deploy/ and re-run it." \
    "#   kubectl create -f deploy/spark-operator.yaml        (updates: kubectl apply --server-side -f ...)"
  kubectl kustomize "$ROOT/deploy/default"
}

TMP="$(mktemp "${TMPDIR:-/tmp}/spark-operator-manifest.XXXXXX")"
trap 'rm -f "$TMP"' EXIT
render >"$TMP"
if [[ "${1:-}" == "--check" ]]; then
  if ! diff -u "$OUT" "$TMP" >"$TMP.diff" 2>&1; then
    echo "render-manifest: deploy/spark-operator.yaml is stale; run make manifest (or tools/render-manifest.sh):" >&2
    head -n 40 "$TMP.diff" >&2
    rm -f "$TMP.diff"
    exit 1
  fi
  rm -f "$TMP.diff"
  echo "render-manifest: deploy/spark-operator.yaml is up to date"
else
  mv "$TMP" "$OUT"
  chmod 0644 "$OUT"
  echo "render-manifest: wrote deploy/spark-operator.yaml"
fi
