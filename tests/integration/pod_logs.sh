#!/usr/bin/env bash
# `kubectl logs` on the local cluster (needs it up): the API server fetches a container's log from kwok, the
# fake nodes' kubelet, which serves what the test chose with set_pod_log (tools/lib/pod_logs.bash).
# Checks, byte for byte: a few lines set before the pod exists, a 50 MB log set while it runs, `-c` on a
# two-container pod, a pod held by a finalizer while it is deleted; the default for a pod without a log, and
# the error for a container without one. POD_LOGS_LARGE_MB=N adds an N MB log, streamed and compared.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENV_FILE="${CLUSTER_ENV:-$ROOT/.local/cluster/env}"
[[ -f "$ENV_FILE" ]] || { echo "FAIL: $ENV_FILE missing - run tools/cluster/up.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
# shellcheck source=../../tools/lib/pod_logs.bash
source "$ROOT/tools/lib/pod_logs.bash"

NS="logs-$$-$RANDOM"
K=(kubectl --request-timeout=60s)
TMP="$(mktemp -d)"
STEP=""
fail() { echo "FAIL [$STEP]: $*" >&2; exit 1; }
step() { STEP="$1"; echo "--- $1 (${SECONDS}s)"; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR
cleanup() {
  "${K[@]}" -n "$NS" patch pod held --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  "${K[@]}" delete namespace "$NS" --wait=false --ignore-not-found >/dev/null 2>&1 || true
  rm -rf "$TMP" "$CLUSTER_STATE_DIR/pod-logs/$NS"
}
trap cleanup EXIT

wait_phase() { # <pod> <phase>
  local deadline=$((SECONDS + 30))
  until [[ "$("${K[@]}" -n "$NS" get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null)" == "$2" ]]; do
    ((SECONDS < deadline)) || fail "pod $1 not $2"
    sleep 0.2
  done
}
pod() { # <name> <containers...>
  local name="$1" c
  shift
  {
    printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  restartPolicy: Never\n  containers:\n' "$name"
    for c in "$@"; do printf '  - {name: %s, image: "spark:sim"}\n' "$c"; done
  } | "${K[@]}" -n "$NS" apply -f - >/dev/null
}
text() { # <bytes> <words>: numbered lines of text, cut at <bytes> (so the last one has no newline)
  { seq -f "line %.0f: $2" 1 100000000 || true; } | head -c "$1"
}
same() { # <file> <kubectl logs args...>: the log is the file, byte for byte
  local file="$1"
  shift
  "${K[@]}" -n "$NS" logs "$@" >"$TMP/got" || fail "kubectl logs $* failed"
  cmp "$TMP/got" "$file" || fail "kubectl logs $* differs from $file"
}

"${K[@]}" create namespace "$NS" >/dev/null

step "a few lines, set before the pod exists"
printf 'Spark driver starting\n\ttab, UTF-8 é, CR\r\n\nlast line without newline' >"$TMP/few"
set_pod_log "$NS" one main "$TMP/few" || fail "set_pod_log"
pod one main
wait_phase one Running
same "$TMP/few" one
same "$TMP/few" one -c main
[[ "$("${K[@]}" -n "$NS" logs one --tail=1)" == "last line without newline" ]] || fail "--tail=1"

step "50 MB, set while the pod runs (replaces the first log)"
text 50000000 "INFO SparkContext: a large driver log, the quick brown fox jumps over the lazy dog" >"$TMP/50mb"
set_pod_log "$NS" one main "$TMP/50mb" || fail "set_pod_log"
same "$TMP/50mb" one  # (kwok sends it at some 5-10 MB/s on 2 busy cores)

step "two containers, each its own log (-c)"
pod two main sidecar
printf 'driver log\n' >"$TMP/main"
printf 'sidecar log\nline 2\n' >"$TMP/sidecar"
set_pod_log "$NS" two main "$TMP/main" || fail "set_pod_log main"
wait_phase two Running
same "$TMP/main" two -c main
if "${K[@]}" -n "$NS" logs two -c sidecar >/dev/null 2>&1; then fail "sidecar has a log before one was set"; fi
set_pod_log "$NS" two sidecar "$TMP/sidecar" || fail "set_pod_log sidecar"
same "$TMP/sidecar" two -c sidecar
same "$TMP/main" two -c main

step "a pod without a log set gets the default line"
pod plain main
wait_phase plain Running
"${K[@]}" -n "$NS" logs plain | grep -q "no log set for this container" || fail "no default log"

step "a pod held by a finalizer while it is deleted still has its log"
printf 'executor log\nbefore deletion\n' >"$TMP/held"
cat <<EOF | "${K[@]}" -n "$NS" apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: held, finalizers: [sim.spark-operator.k8s.io/test-hold]}
spec:
  restartPolicy: Never
  containers: [{name: main, image: "spark:sim"}]
EOF
wait_phase held Running
set_pod_log "$NS" held main "$TMP/held" || fail "set_pod_log"
"${K[@]}" -n "$NS" delete pod held --wait=false >/dev/null
deadline=$((SECONDS + 30))
until [[ -n "$("${K[@]}" -n "$NS" get pod held -o jsonpath='{.metadata.deletionTimestamp}')" ]]; do
  ((SECONDS < deadline)) || fail "no deletionTimestamp"
  sleep 0.2
done
sleep 1  # kwok's delete stage has run on it by now
[[ -n "$("${K[@]}" -n "$NS" get pod held -o jsonpath='{.metadata.deletionTimestamp}')" ]] || fail "pod gone"
same "$TMP/held" held
"${K[@]}" -n "$NS" patch pod held --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null

if (( ${POD_LOGS_LARGE_MB:-0} > 0 )); then
  step "${POD_LOGS_LARGE_MB} MB streams whole"
  bytes=$((POD_LOGS_LARGE_MB * 1000000))
  text "$bytes" "WARN TaskSetManager: a very large executor log, the quick brown fox" >"$TMP/large"
  rm -f "$TMP/50mb" "$TMP/got"
  t0=$SECONDS
  set_pod_log "$NS" one main "$TMP/large" 120 || fail "set_pod_log"
  echo "  set_pod_log: $((SECONDS - t0)) s"
  t0=$SECONDS
  mkfifo "$TMP/stream"
  cmp - "$TMP/large" <"$TMP/stream" &
  compare=$!
  size="$(kubectl --request-timeout=600s -n "$NS" logs one | tee "$TMP/stream" | wc -c)" || size="?"
  wait "$compare" || fail "kubectl logs differs from the file"
  echo "  kubectl logs: $((SECONDS - t0)) s, $size bytes"
  [[ "$size" == "$bytes" ]] || fail "streamed $size bytes, want $bytes"
fi

trap - EXIT
cleanup
echo "PASS: tests/integration/pod_logs.sh"
