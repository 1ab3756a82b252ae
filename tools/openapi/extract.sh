#!/usr/bin/env bash
# Writes api/openapi/core_v1.json: the OpenAPI v3 schemas of Kubernetes' PodTemplateSpec and of every type it
# reaches, exactly as the pinned Kubernetes release publishes them (api/openapi-spec/v3/api__v1_openapi.json in
# the k8s.io/kubernetes module the local cluster is built from). spark-operator-crdgen embeds them, so that the
# API server checks spec.driver.podTemplate, tolerations, volumes and the rest with the real core schema.
#
#   tools/openapi/extract.sh           # rewrite the file
#   tools/openapi/extract.sh --check   # exit 1 when the checked-in file differs (a test runs this)
set -euo pipefail
# shellcheck source=../lib/checkout.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checkout.bash"
out="$ROOT/api/openapi/core_v1.json"

export GOFLAGS=-mod=mod GOTOOLCHAIN=local
module_dir="$(cd "$ROOT/tools/cluster/kube" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | jq -r .Dir)"
source="$module_dir/api/openapi-spec/v3/api__v1_openapi.json"
[[ -f "$source" ]] || { echo "extract.sh: $source not found" >&2; exit 1; }

# The closure of PodTemplateSpec under $ref, each schema as published, keys sorted for stable diffs.
closure='
def refs: [.. | objects | select(has("$ref")) | ."$ref" | sub("^#/components/schemas/"; "")] | unique;
.components.schemas as $all
| {todo: ["io.k8s.api.core.v1.PodTemplateSpec"], done: {}}
| until(.todo | length == 0;
    .todo[0] as $name | .todo |= .[1:]
    | if .done[$name] then . else .done[$name] = $all[$name] | .todo += ($all[$name] | refs) end)
| {source: ("k8s.io/kubernetes@" + $version + " api/openapi-spec/v3/api__v1_openapi.json"), schemas: .done}'

tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
jq -S --arg version "$KUBERNETES_VERSION" "$closure" "$source" >"$tmp"
if [[ "${1:-}" == "--check" ]]; then
  if ! cmp -s "$tmp" "$out"; then
    echo "extract.sh: $out is not what Kubernetes $KUBERNETES_VERSION publishes; run tools/openapi/extract.sh" >&2
    exit 1
  fi
  exit 0
fi
mkdir -p "$(dirname "$out")"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "extract.sh: wrote $out ($(jq '.schemas | length' "$out") schemas)"
