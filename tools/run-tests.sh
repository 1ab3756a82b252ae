#!/usr/bin/env bash
# `make test`: unit tests, then a local cluster for the integration and end-to-end tests, stopped afterwards
# whatever happens.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build_dir=${1:-build}

# A cluster the developer already had running is left running.
was_up=0
if kubectl --kubeconfig .local/cluster/kubeconfig get --raw /readyz >/dev/null 2>&1; then was_up=1; fi
cleanup() {
  if ((!was_up)); then "$root/tools/cluster/down.sh" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

tools/spark/fetch.sh
tools/cluster/up.sh

cd "$build_dir"
ctest --output-on-failure --no-tests=error -L 'unit|integration|e2e' --timeout 600
