#!/usr/bin/env bash
# `make test`: unit tests, then a local cluster for the integration and end-to-end tests, stopped afterwards
# whatever happens. SO_TEST_LABELS picks other CTest labels (`make test-images`: image).
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

# The object-store servers of the storage tests (tools/stores/: minutes of Go build on a fresh machine, cached
# after) build while Spark downloads, which is network more than CPU; the cluster's own build waits on their lock.
mkdir -p .local
tools/stores/build.sh >.local/stores-build.log 2>&1 &
stores_build=$!
tools/spark/fetch.sh
if ! wait "$stores_build"; then
  cat .local/stores-build.log >&2
  echo "run-tests: building the object-store servers failed" >&2
  exit 1
fi
tools/cluster/up.sh

cd "$build_dir"
status=0
ctest --output-on-failure --no-tests=error -L "${SO_TEST_LABELS:-unit|integration|e2e}" --timeout 600 || status=$?
# Tests and the programs they run use /dev/null a great deal; one that replaced it with a plain file (a rename
# over it) breaks every later process quietly, so say so here rather than in a baffling failure elsewhere.
if [[ ! -c /dev/null ]]; then
  echo "run-tests: /dev/null is no longer a character device: a test or a program it ran replaced it" >&2
  status=1
fi
exit "$status"
