#!/usr/bin/env bash
# Smoke test for the local control plane from tools/cluster/up.sh (needs the cluster up).
# Checks: kwok pod lifecycle driven by sim.spark-operator.k8s.io/* annotations,
# pod deletion, namespace deletion (kube-controller-manager) and ownerReference GC,
# bearer-token auth via kubeconfig-token.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENV_FILE="${CLUSTER_ENV:-$ROOT/.local/cluster/env}"
[[ -f "$ENV_FILE" ]] || { echo "FAIL: $ENV_FILE missing - run tools/cluster/up.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"

NS="smoke-$$-$RANDOM"
K=(kubectl --request-timeout=20s)
STEP=""
fail() { echo "FAIL [$STEP]: $*" >&2; exit 1; }
step() { STEP="$1"; echo "--- $1"; }
cleanup() { "${K[@]}" delete namespace "$NS" --wait=false --ignore-not-found >/dev/null 2>&1 || true; }
trap cleanup EXIT

# wait_eq <timeout-s> <expected> <kubectl get args...>: polls `kubectl get` output until equal
wait_eq() {
  local limit="$1" want="$2"; shift 2
  local deadline=$(( $(date +%s) + limit )) got=""
  while :; do
    got="$("${K[@]}" get "$@" 2>/dev/null || true)"
    [[ "$got" == "$want" ]] && return 0
    (( $(date +%s) < deadline )) || { echo "  got '$got', want '$want' ($*)" >&2; return 1; }
    sleep 0.2
  done
}
wait_gone() { # <timeout-s> <kubectl get args...>
  local limit="$1"; shift
  local deadline=$(( $(date +%s) + limit ))
  while "${K[@]}" get "$@" >/dev/null 2>&1; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.2
  done
}
pod() { # <name> [annotations-yaml-lines]
  cat <<EOF | "${K[@]}" -n "$NS" apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata:
  name: $1
  annotations: {${2:-}}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: spark:sim
    resources: {requests: {cpu: 100m, memory: 128Mi}}
  - name: sidecar
    image: busybox:sim
EOF
}

step "api reachable with bearer token (kubeconfig-token)"
[[ "$(kubectl --kubeconfig "$KUBECONFIG_TOKEN" auth whoami -o jsonpath='{.status.userInfo.username}')" == admin ]] \
  || fail "token user is not 'admin'"
"${K[@]}" create namespace "$NS" >/dev/null || fail "cannot create namespace"
wait_eq 30 default -n "$NS" serviceaccount default -o jsonpath='{.metadata.name}' \
  || fail "default service account not created in new namespace"

step "pod is scheduled and runs on a kwok node"
pod p-ok
wait_eq 30 Running -n "$NS" pod p-ok -o jsonpath='{.status.phase}' || fail "pod p-ok not Running"
node="$("${K[@]}" -n "$NS" get pod p-ok -o jsonpath='{.spec.nodeName}')"
[[ "$node" == kwok-node-* ]] || fail "pod p-ok scheduled on '$node', want kwok-node-*"
[[ -n "$("${K[@]}" -n "$NS" get pod p-ok -o jsonpath='{.status.podIP}')" ]] || fail "no podIP"
[[ "$("${K[@]}" -n "$NS" get pod p-ok -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]] \
  || fail "Ready condition not True"
wait_eq 5 "main:true:true sidecar:true:true " -n "$NS" pod p-ok \
  -o jsonpath='{range .status.containerStatuses[*]}{.name}:{.ready}:{.started} {end}' || fail "containerStatuses not ready/started"
[[ -n "$("${K[@]}" -n "$NS" get pod p-ok -o jsonpath='{.status.containerStatuses[1].state.running.startedAt}')" ]] \
  || fail "containerStatuses[].state.running missing"
sleep 1.5
wait_eq 1 Running -n "$NS" pod p-ok -o jsonpath='{.status.phase}' || fail "pod did not stay Running"

step "exit-code 0 -> Succeeded"
"${K[@]}" -n "$NS" annotate pod p-ok sim.spark-operator.k8s.io/exit-code=0 >/dev/null
wait_eq 30 Succeeded -n "$NS" pod p-ok -o jsonpath='{.status.phase}' || fail "pod p-ok not Succeeded"
wait_eq 5 "0:Completed 0:Completed " -n "$NS" pod p-ok \
  -o jsonpath='{range .status.containerStatuses[*]}{.state.terminated.exitCode}:{.state.terminated.reason} {end}' \
  || fail "p-ok containers not terminated with exitCode 0/Completed"
[[ -z "$("${K[@]}" -n "$NS" get pod p-ok -o jsonpath='{.status.containerStatuses[*].state.running}')" ]] \
  || fail "p-ok containers still have state.running"

step "exit-code 3 -> Failed"
pod p-fail
wait_eq 30 Running -n "$NS" pod p-fail -o jsonpath='{.status.phase}' || fail "pod p-fail not Running"
"${K[@]}" -n "$NS" annotate pod p-fail sim.spark-operator.k8s.io/exit-code=3 >/dev/null
wait_eq 30 Failed -n "$NS" pod p-fail -o jsonpath='{.status.phase}' || fail "pod p-fail not Failed"
wait_eq 5 "3:Error 3:Error " -n "$NS" pod p-fail \
  -o jsonpath='{range .status.containerStatuses[*]}{.state.terminated.exitCode}:{.state.terminated.reason} {end}' \
  || fail "p-fail containers not terminated with exitCode 3/Error"

step "run-seconds=2 (+exit-code 7 at creation) -> Failed after ~2s"
pod p-timed '"sim.spark-operator.k8s.io/run-seconds": "2", "sim.spark-operator.k8s.io/exit-code": "7"'
wait_eq 30 Running -n "$NS" pod p-timed -o jsonpath='{.status.phase}' || fail "pod p-timed not Running"
wait_eq 30 Failed -n "$NS" pod p-timed -o jsonpath='{.status.phase}' || fail "pod p-timed not Failed"
wait_eq 5 "7 7 " -n "$NS" pod p-timed -o jsonpath='{range .status.containerStatuses[*]}{.state.terminated.exitCode} {end}' \
  || fail "p-timed exit codes"
start="$("${K[@]}" -n "$NS" get pod p-timed -o jsonpath='{.status.startTime}')"
end="$("${K[@]}" -n "$NS" get pod p-timed -o jsonpath='{.status.containerStatuses[0].state.terminated.finishedAt}')"
d=$(( $(date -d "$end" +%s) - $(date -d "$start" +%s) ))
(( d >= 2 && d <= 15 )) || fail "p-timed finished after ${d}s, want ~2s"

step "pod deletion (running pod)"
pod p-del
wait_eq 30 Running -n "$NS" pod p-del -o jsonpath='{.status.phase}' || fail "pod p-del not Running"
"${K[@]}" -n "$NS" delete pod p-del --wait=false >/dev/null
wait_gone 30 -n "$NS" pod p-del || fail "pod p-del not removed after delete"

step "ownerReference garbage collection"
"${K[@]}" -n "$NS" create configmap owner --from-literal=a=b >/dev/null
uid="$("${K[@]}" -n "$NS" get configmap owner -o jsonpath='{.metadata.uid}')"
cat <<EOF | "${K[@]}" -n "$NS" apply -f - >/dev/null
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences:
  - {apiVersion: v1, kind: ConfigMap, name: owner, uid: $uid}
data: {x: "1"}
EOF
"${K[@]}" -n "$NS" delete configmap owner >/dev/null
wait_gone 60 -n "$NS" configmap dependent || fail "dependent ConfigMap not garbage-collected"

step "namespace deletion completes"
"${K[@]}" -n "$NS" create configmap leftover --from-literal=a=b >/dev/null
"${K[@]}" delete namespace "$NS" --wait=false >/dev/null
wait_gone 90 namespace "$NS" || fail "namespace $NS not deleted (kube-controller-manager namespace controller?)"

trap - EXIT
echo "PASS: tests/integration/cluster_smoke.sh"
