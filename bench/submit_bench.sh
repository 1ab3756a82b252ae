#!/usr/bin/env bash
# Submission throughput through the controller: creates N SparkApplications (the example app) in a fresh
# namespace, runs the built controller with --submission-concurrency C, and times until every app is
# SUBMITTED (driver pod created). Prints spark-submit wall time per app (from the controller's histogram) and
# apps/min. Needs the local cluster (tools/cluster/up.sh), the CRD and tools/spark/fetch.sh.
#
#   bench/submit_bench.sh [N=6] [C=2] [BUILD_DIR=build-ctl]
#
# Measured 2026-11-26 on the 2-core dev machine (load 3-6 from other builds), Spark 4.2.0, kwok node:
#   N=10 C=2: all SUBMITTED in 17.8 s = 33.7 apps/min, spark-submit 3.62 s mean
#   N=10 C=1: all SUBMITTED in 37.5 s = 16.0 apps/min, spark-submit 3.81 s mean
#   N=8  C=2 (load ~7): 23.0 s = 20.9 apps/min, spark-submit 5.57 s mean
# Fewer spark-submit runs than apps are counted because an app is SUBMITTED as soon as its driver pod exists,
# before spark-submit exits (~0.8 s later).
set -euo pipefail
# shellcheck source=../tools/lib/checkout.bash
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/checkout.bash"
N="${1:-6}"
C="${2:-2}"
BUILD="${3:-$ROOT/build-ctl}"
KUBECONFIG_PATH="$ROOT/.local/cluster/kubeconfig"
K() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }
SPARK_SUBMIT="$SO_SPARK_SUBMIT"
NS="bench-$$"
PORT=$((20000 + $$ % 10000))

K apply --server-side --force-conflicts -k "$ROOT/deploy/crd" >/dev/null
K create namespace "$NS" >/dev/null
LOG="/tmp/submit-bench-$NS.log"
"$BUILD/bin/spark-operator-controller" --kubeconfig="$KUBECONFIG_PATH" --namespaces="$NS" \
  --submitter=spark-submit --spark-submit="$SPARK_SUBMIT" --submission-concurrency="$C" --metrics-port="$PORT" >"$LOG" 2>&1 &
CTL=$!
cleanup() { kill "$CTL" 2>/dev/null; wait "$CTL" 2>/dev/null || true; K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; }
trap cleanup EXIT
sleep 1

T0=$(date +%s.%N)
for i in $(seq 1 "$N"); do
  sed -e "s/name: spark-app-example/name: app-$i/" -e "s/namespace: default/namespace: $NS/" \
    "$ROOT/deploy/examples/spark-application-example.yaml"
  echo "---"
done | K apply -f - >/dev/null

while true; do
  submitted=$(K get sparkapplications -n "$NS" -o jsonpath='{range .items[*]}{.status.applicationState.state}{"\n"}{end}' |
    grep -cE '^(SUBMITTED|RUNNING|COMPLETED)$' || true)
  [[ "$submitted" -ge "$N" ]] && break
  failed=$(K get sparkapplications -n "$NS" -o jsonpath='{range .items[*]}{.status.applicationState.state}{"\n"}{end}' |
    grep -cE 'FAILED' || true)
  [[ "$failed" -gt 0 ]] && { echo "submit_bench: $failed apps failed; see $LOG" >&2; exit 1; }
  sleep 0.2
done
T1=$(date +%s.%N)

METRICS=$(curl -fsS "http://127.0.0.1:$PORT/metrics")
SUM=$(awk '/^spark_operator_spark_submit_duration_seconds_sum/ {print $2}' <<<"$METRICS")
COUNT=$(awk '/^spark_operator_spark_submit_duration_seconds_count/ {print $2}' <<<"$METRICS")
awk -v n="$N" -v c="$C" -v t0="$T0" -v t1="$T1" -v sum="$SUM" -v count="$COUNT" 'BEGIN {
  wall = t1 - t0
  printf "submit_bench: %d apps, --submission-concurrency %d\n", n, c
  printf "  all SUBMITTED after   %.1f s\n", wall
  printf "  throughput            %.1f apps/min\n", n * 60 / wall
  printf "  spark-submit wall     %.2f s mean over %d runs\n", sum / count, count
}'
