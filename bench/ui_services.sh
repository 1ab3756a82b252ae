#!/usr/bin/env bash
# UI Services at scale: N short SparkApplications in one namespace, more than the cluster's 2,768 node ports,
# run in waves of W through the built controller. Per wave it waits until every app is RUNNING with a UI
# (webUIURL set and its NodePort Service there), ends the drivers with exit code 0, and waits until every app
# is COMPLETED with its UI gone. At the end no NodePort Service may be left. Prints one line per wave and a
# final line; exits 1 when a check fails. Needs the local cluster (tools/cluster/up.sh) and the CRD.
#
#   bench/ui_services.sh [N=3000] [W=500] [BUILD_DIR=build]
#
# MODE=user (default): the script plays spark-submit, creating each driver pod for an app with
#   spec.submissionByUser (thousands of JVMs would take hours on 2 cores; the UI Service is the same).
# MODE=native: the controller builds and creates each driver itself (--submitter=native), as by default.
# MODE=spark-submit: the controller runs the real spark-submit for each app (about 35 apps/min; use a small N).
# CTL_FLAGS: extra controller flags (default "--kube-api-qps=200 --kube-api-burst=400 --workers=8").
set -euo pipefail
# shellcheck source=../tools/lib/checkout.bash
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/checkout.bash"
N="${1:-3000}"
W="${2:-500}"
BUILD="${3:-$ROOT/build}"
MODE="${MODE:-user}"
CTL_FLAGS="${CTL_FLAGS:---kube-api-qps=200 --kube-api-burst=400 --workers=8}"
WAIT_SECONDS="${WAIT_SECONDS:-900}"  # Per wave and phase.
KUBECONFIG_PATH="${SO_CLUSTER_DIR:-$ROOT/.local/cluster}/kubeconfig"
K() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }
SPARK_SUBMIT="$SO_SPARK_SUBMIT"
SUBMITTER=native
case "$MODE" in
  user) SPARK_SUBMIT=/bin/false ;;  # Never run: every app is submitted by the "user".
  native) ;;
  spark-submit) SUBMITTER=spark-submit ;;
  *) echo "ui_services: MODE is user, native or spark-submit, not $MODE" >&2; exit 2 ;;
esac
NS="ui-scale-$$"
LOG="/tmp/ui-services-$NS.log"

K apply --server-side --force-conflicts -k "$ROOT/deploy/crd" >/dev/null
# A CRD created this instant has no conditions yet, which `kubectl wait` takes for an error.
for _ in $(seq 50); do
  K wait --for condition=established crd/sparkapplications.spark-operator.k8s.io >/dev/null 2>&1 && break
  sleep 0.2
done
K create namespace "$NS" >/dev/null
# shellcheck disable=SC2086
"$BUILD/bin/spark-operator-controller" --kubeconfig="$KUBECONFIG_PATH" --namespaces="$NS" \
  --spark-submit="$SPARK_SUBMIT" --submitter="$SUBMITTER" --metrics-port=-1 $CTL_FLAGS >"$LOG" 2>&1 &
CTL=$!
cleanup() {
  kill "$CTL" 2>/dev/null || true
  wait "$CTL" 2>/dev/null || true
  K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

fail() {
  echo "ui_services: FAILED: $*; controller log: $LOG" >&2
  exit 1
}

# "name state webUIURL" of every app, one a line.
apps_table() {
  K get sparkapplications -n "$NS" -o jsonpath='{range .items[*]}{.metadata.name} {.status.applicationState.state} {.status.driverInfo.webUIURL}{"\n"}{end}'
}
nodeport_services() {
  K get services -n "$NS" -o jsonpath='{range .items[*]}{.spec.type}{"\n"}{end}' | grep -c '^NodePort$' || true
}
# Waits until `awk_condition` holds for every app of wave $1 (names w$1-*); $2 describes it.
wait_wave() {
  local wave="$1" what="$2" condition="$3" deadline=$((SECONDS + WAIT_SECONDS)) count=0
  while ((SECONDS < deadline)); do
    count=$(apps_table | awk -v p="w$wave-" "index(\$1, p) == 1 && ($condition)" | wc -l)
    ((count >= wave_size)) && return 0
    sleep 1
  done
  fail "wave $wave: $count of $wave_size apps $what after ${WAIT_SECONDS}s"
}

driver_of() { if [[ "$MODE" == user ]]; then echo "$1-driver"; else echo "$1-1-driver"; fi; }

T0=$SECONDS
had_ui=0
peak=0
done_apps=0
wave=0
while ((done_apps < N)); do
  wave=$((wave + 1))
  wave_size=$((N - done_apps < W ? N - done_apps : W))
  names=()
  for ((i = 1; i <= wave_size; i++)); do names+=("w$wave-app-$i"); done
  for name in "${names[@]}"; do
    sed -e "s/name: spark-app-example/name: $name/" -e "s/namespace: default/namespace: $NS/" \
      "$ROOT/deploy/examples/spark-application-example.yaml"
    [[ "$MODE" == user ]] && echo "  submissionByUser: true"
    echo "---"
  done | K apply -f - >/dev/null
  if [[ "$MODE" == user ]]; then
    for name in "${names[@]}"; do
      cat <<POD
apiVersion: v1
kind: Pod
metadata:
  name: $name-driver
  namespace: $NS
  labels: {spark-role: driver, spark-operator.k8s.io/app-name: $name, spark-operator.k8s.io/launched-by-spark-operator: "true"}
spec:
  restartPolicy: Never
  enableServiceLinks: false
  containers: [{name: spark-kubernetes-driver, image: "apache/spark:$SPARK_VERSION"}]
---
POD
    done | K apply -f - >/dev/null
  fi
  wait_wave "$wave" "RUNNING with a UI" '$2 == "RUNNING" && $3 != ""'
  had_ui=$((had_ui + wave_size))
  running_ports=$(nodeport_services)
  ((running_ports > peak)) && peak=$running_ports
  ((running_ports >= wave_size)) || fail "wave $wave: $running_ports NodePort services for $wave_size running apps"
  pods=()
  for name in "${names[@]}"; do pods+=("$(driver_of "$name")"); done
  K annotate pods -n "$NS" "${pods[@]}" sim.spark-operator.k8s.io/exit-code=0 >/dev/null
  wait_wave "$wave" "COMPLETED with the UI gone" '$2 == "COMPLETED" && $3 == ""'
  done_apps=$((done_apps + wave_size))
  left=$(nodeport_services)
  echo "ui_services: wave $wave: $wave_size apps had a UI while running ($running_ports NodePort services);" \
    "after completion $left left; $done_apps/$N done at $((SECONDS - T0)) s"
done

left=$(nodeport_services)
completed=$(apps_table | awk '$2 == "COMPLETED"' | wc -l)
echo "ui_services: $N apps ($MODE) in waves of $W in $((SECONDS - T0)) s: $had_ui had their UI while running," \
  "$completed COMPLETED, NodePort services at most $peak at once, $left left"
((left == 0)) || fail "$left NodePort services left"
((completed == N)) || fail "$completed of $N apps COMPLETED"
