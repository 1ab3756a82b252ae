#!/usr/bin/env bash
# Submission at scale on the local cluster (issue 11), one run, prints a table and a final line:
#   1. native: N SparkApplications created at once in one namespace, through the built controller with
#      --submitter=native; build/bin/scale_player creates them and plays every driver (5 executor pods with Spark's
#      labels, then the driver's exit 0 through kwok). Apps/min until every driver pod exists, time until every
#      app is COMPLETED, p50/p99 from an app's creation to its driver pod's (watch-event arrivals), the
#      controller's peak RSS and CPU seconds, and the API server's and etcd's CPU seconds over the same time;
#   2. restart: the controller started again with the N apps and 6N pods stored: time to /readyz (the app cache
#      full, workers running) and until its pod cache is full (from its log); then again with the fake cluster's
#      own work paused (kwok, the controller-manager and the scheduler stopped, the API server left to settle),
#      beside the server's own list of the N apps (curl), the reference for /readyz;
#   3. raw: build/bin/raw_writes creates the same four objects per app with the same client settings and
#      concurrency and no controller logic: the API server's own rate, the limit for this work. Alone, and with
#      the player playing its drivers as in phase 1 (executor pods, exits), the reference for native/raw; then,
#      played too, each app's objects after the user's create of its SparkApplication and the attempt's mark (one
#      status write): the floor for any operator that submits exactly once, which splits native/raw into the
#      controller's own cost (native/floor) and that of the app and its mark (floor/raw);
#   4. spark-submit: SS_N apps (default 20) through --submitter=spark-submit, scaled to apps/min;
#   5. native again with the initializer's webhook in the path and the ConfigMap mounts of
#      deploy/examples/spark-application-example-configmaps.yaml (WEBHOOK=0 skips it).
# Also prints the API server's writes per app by verb and resource, native phase against the raw loop with its
# player (from its apiserver_request_total), to show where the server's work goes.
# Asserts nothing about time; exits 1 when an app is not COMPLETED at the end.
#
#   bench/scale.sh [N=1000]            (also `make bench`; needs tools/cluster/up.sh and tools/spark/fetch.sh)
#
# Environment: BUILD_DIR (build), SS_N (20; 0 skips), QPS (500), BURST (1000), WORKERS (32), NATIVE_C (16),
# RAW_ALONE (1; 0 skips the raw loop without the player, which is not the ratio's reference),
# UI_TYPE (NodePort), TIMEOUT (1800 s per phase), PPROF (0; S > 0 takes an S-second CPU profile of the API server
# from the start of the native phase and of each played raw phase, into $OUT/apiserver-*.pprof, for
# `go tool pprof -top`; the phases follow each other, so S longer than one loses the next profile; the cluster
# must serve profiles: CLUSTER_PROFILING=true for the bench too, which starts it again with FRESH=1),
# CONTROLLER_FLAGS (more flags for the controller, e.g. --submission-backlog=256), SETTLE_TIMEOUT (300: before
# each measured phase the API server must settle, under a tenth of a core for a second, for at most this long),
# ORDER (native-first; reference-first runs phase 3 first, the floor before the raw loop), FRESH (1: each
# measured phase on the local cluster stopped and started again, see fresh_cluster; 0 runs them all on one
# cluster, where a later phase runs slower: the floor at 16 in flight made 2,661-2,858 apps/min as a cluster's 3rd
# phase, 3,153-3,307 as its 1st, docs/measurements.md). The machine and its neighbours still move a phase's CPU
# per app by up to a quarter between runs: a ratio from one run says little, so average several.
# Prints where the machine's CPU went in each window by process (bench/cpu_window.py): on 2 cores every window
# keeps both busy, so a phase's rate is the two cores over its CPU per app.
# The same QPS/BURST/NATIVE_C go to the raw loop.
# The phases' namespaces stay until the end: N=1,000 leaves about 25,000 pods, N=10,000 about 190,000 with
# WEBHOOK=0 and 250,000 without (a kwok node of tools/cluster/up.sh holds 200,000; more CLUSTER_NODES spread
# them). At N=10,000 the fake cluster on 2 cores, not the controller, sets the pace; to see every app COMPLETED
# within the hour there, start it with `CLUSTER_NODES=8 CLUSTER_ENDPOINTS=false CLUSTER_KWOK_PARALLELISM=16
# tools/cluster/up.sh` (the table's first row names the cluster's settings).
set -euo pipefail
# shellcheck source=../tools/lib/checkout.bash
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib/checkout.bash"
N="${1:-1000}"
BUILD="${BUILD_DIR:-$ROOT/build}"
SS_N="${SS_N:-20}"
QPS="${QPS:-500}"
BURST="${BURST:-1000}"
WORKERS="${WORKERS:-32}"
NATIVE_C="${NATIVE_C:-16}"
UI_TYPE="${UI_TYPE:-NodePort}"
TIMEOUT="${TIMEOUT:-1800}"
ORDER="${ORDER:-native-first}"
if [[ "$ORDER" != native-first && "$ORDER" != reference-first ]]; then
  echo "scale: ORDER is native-first or reference-first, not $ORDER" >&2
  exit 2
fi
CLUSTER="${SO_CLUSTER_DIR:-$ROOT/.local/cluster}"
KUBECONFIG_PATH="$CLUSTER/kubeconfig"
source "$CLUSTER/env"
K() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }
SPARK_SUBMIT="$SO_SPARK_SUBMIT"
APP_FILE="$ROOT/deploy/examples/spark-application-example.yaml"
TAG="$$"
PORT=$((20000 + $$ % 10000))
OUT="/tmp/scale-$TAG"
mkdir -p "$OUT"
CTL=""
NAMESPACES=()
TICK=$(getconf CLK_TCK)
# Executors are bound to the nodes directly, each driver's on the next node: the local kube-scheduler on 2 shared
# cores binds only a few pods a second and is not what is measured; drivers still go through it, as the operator's do.
EXEC_NODES="${KWOK_NODES// /,}"

# The fake cluster's processes paused by pause_cluster, for resume_cluster (and cleanup) to let go on.
PAUSED=()
pause_cluster() {
  local pid
  for pid in ${KWOK_PID:-} ${KUBE_CONTROLLER_MANAGER_PID:-} ${KUBE_SCHEDULER_PID:-}; do
    if kill -STOP "$pid" 2>/dev/null; then PAUSED+=("$pid"); fi
  done
}
resume_cluster() {
  local pid
  for pid in "${PAUSED[@]}"; do kill -CONT "$pid" 2>/dev/null || true; done
  PAUSED=()
}

cleanup() {
  resume_cluster
  [[ -n "${SAMPLER:-}" ]] && { kill "$SAMPLER" 2>/dev/null || true; }
  [[ -n "${init_pid:-}" ]] && { kill "$init_pid" 2>/dev/null || true; }
  [[ -n "${WH_CONFIG:-}" ]] && { K delete mutatingwebhookconfiguration "$WH_CONFIG" --wait=false >/dev/null 2>&1 || true; }
  [[ -n "$CTL" ]] && { kill "$CTL" 2>/dev/null || true; wait "$CTL" 2>/dev/null || true; }
  for ns in "${NAMESPACES[@]}"; do K delete namespace "$ns" --wait=false >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap "exit 130" INT TERM  # So that EXIT runs the cleanup.

new_namespace() {
  K create namespace "$1" >/dev/null
  NAMESPACES+=("$1")
}
cpu_seconds() { awk -v t="$TICK" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
# Writes the API server has answered so far, from every client (its apiserver_request_total).
api_writes() {
  K get --raw /metrics | awk '/^apiserver_request_total/ && /verb="(POST|PUT|PATCH|DELETE|APPLY)"/ {s += $NF}
    END {printf "%d", s}'
}
# The same, by verb and resource (with its subresource): "<verb> <resource>[/<subresource>] <count>" lines.
api_writes_by() {
  K get --raw /metrics | awk '/^apiserver_request_total/ && /verb="(POST|PUT|PATCH|DELETE|APPLY)"/ {
      v = $0; sub(/.*verb="/, "", v); sub(/".*/, "", v)
      r = $0; sub(/.*[{,]resource="/, "", r); sub(/".*/, "", r)
      sr = ""; if ($0 ~ /subresource="[^"]/) { sr = $0; sub(/.*subresource="/, "", sr); sub(/".*/, "", sr); sr = "/" sr }
      s[v " " r sr] += $NF
    }
    END { for (k in s) print k, s[k] }' | sort
}
# Per-app writes between two api_writes_by snapshots: "<verb> <resource> <per app>" lines, most first.
writes_per_app() {
  awk -v n="$N" 'NR == FNR {a[$1 " " $2] = $3; next} {d = $3 - a[$1 " " $2]; if (d > 0) printf "%s %.1f\n", $1 " " $2, d / n}' \
    "$1" "$2" | sort -k3 -rn
}
# key -> value from a player/raw output file.
val() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

# The machine's CPU by process, sampled through the whole run (bench/cpu_window.py), and a phase's share of it:
# cpu_of <phase> <output file with the window's start> <its start key> <its seconds key> writes $OUT/cpu-<phase>.txt.
"$ROOT/bench/cpu_window.py" sample "$OUT/cpu-samples.jsonl" 0.5 &
SAMPLER=$!
cpu_of() {
  # Until the sampler has a sample past the window's end (it says so otherwise), at most 5 s.
  for _ in $(seq 50); do
    "$ROOT/bench/cpu_window.py" window "$OUT/cpu-samples.jsonl" "$(val "$2" "$3")" "$(val "$2" "$4")" "$N" \
      >"$OUT/cpu-$1.txt" 2>&1 && return 0
    sleep 0.1
  done
  echo "scale: no CPU figures for $1; see $OUT/cpu-$1.txt" >&2
}
# "<group> <ms per app>" from cpu_of's file, with "all" for the whole machine and "cores_busy" for the cores busy.
cpu_lines() {
  awk '$1 == "cpu_ms_per_app" {print $2, $3} $1 == "cpu_ms_per_app_all" {print "all", $2}
    $1 == "cores_busy" {print "cores_busy", $2}' "$OUT/cpu-$1.txt" 2>/dev/null
}

# Starts the controller on namespace $1 with submitter $2 (log $3); sets CTL and READY_S (seconds to /readyz).
start_controller() {
  local t0
  t0=$(now)
  "$BUILD/bin/spark-operator-controller" --kubeconfig="$KUBECONFIG_PATH" --namespaces="$1" --submitter="$2" \
    --spark-submit="$SPARK_SUBMIT" --kube-api-qps="$QPS" --kube-api-burst="$BURST" --workers="$WORKERS" \
    --native-submission-concurrency="$NATIVE_C" --ui-service-type="$UI_TYPE" --metrics-port="$PORT" \
    ${CONTROLLER_FLAGS:-} >"$3" 2>&1 &
  CTL=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null; do
    kill -0 "$CTL" 2>/dev/null || { echo "scale: the controller exited; see $3" >&2; exit 1; }
    sleep 0.005
  done
  READY_S=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}')
}
# The controller's own view of a phase, from its /metrics (client-go's workqueue_* and rest_client_* series):
# reconciles, their mean wait in the queue and mean time, requests by verb with their mean server time, Events.
controller_figures() {
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '
    function mean(s, c) { return c > 0 ? sprintf("%.2f", s / c) : "-" }
    /^workqueue_queue_duration_seconds_sum\{name="sparkapplications"\}/ { qs = $2 }
    /^workqueue_queue_duration_seconds_count\{name="sparkapplications"\}/ { qc = $2 }
    /^workqueue_work_duration_seconds_sum\{name="sparkapplications"\}/ { ws = $2 }
    /^rest_client_request_duration_seconds_sum/ { split($1, a, "\""); rs[a[2]] = $2 }
    /^rest_client_request_duration_seconds_count/ { split($1, a, "\""); rc[a[2]] = $2 }
    /^rest_client_requests_total/ && /code="409"/ { conflicts += $2 }
    /^spark_operator_events_total/ { split($1, a, "\""); ev = ev a[2] " " $2 " " }
    END {
      printf "%d reconciles, %s s mean in the queue, %s s mean reconcile; requests:", qc, mean(qs, qc), mean(ws, qc)
      for (v in rc) printf " %s %d (%s s)", v, rc[v], mean(rs[v], rc[v])
      printf " (%d conflicts); events: %s\n", conflicts, ev
    }'
}
# Starts an API server CPU profile of PPROF seconds into $OUT/apiserver-$1.pprof in the background (PPROF > 0).
profile_apiserver() {
  ((${PPROF:-0} > 0)) || return 0
  K get --raw "/debug/pprof/profile?seconds=$PPROF" >"$OUT/apiserver-$1.pprof" 2>"$OUT/apiserver-$1.pprof.log" &
}
# Waits until the API server has used less than a tenth of a core for a second, or $1 seconds; sets SETTLED_S.
settle_server() {
  local t0 cpu0
  t0=$(now)
  for _ in $(seq "$1"); do
    cpu0=$(cpu_seconds "$KUBE_APISERVER_PID")
    sleep 1
    awk -v a="$cpu0" -v b="$(cpu_seconds "$KUBE_APISERVER_PID")" 'BEGIN {exit !(b - a < 0.1)}' && break
  done
  SETTLED_S=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}')
}
# FRESH=1: before a measured phase, the local cluster is stopped and started again with the same knobs (a few
# seconds), so that every phase starts from the same empty cluster. Each phase leaves 6,000 pods on the kwok node,
# Services and endpoints; on a cluster that held them the native phase and the floor each took 22 % more of the
# machine's CPU per app as its third phase than as its first (one run of each order; the API server, the scheduler
# and the controller-manager, while the controller and the player took the same).
fresh_cluster() {
  [[ "${FRESH:-1}" == 1 ]] || return 0
  local owner knobs
  owner="$(cd "$CLUSTER/../.." && pwd)"  # The checkout whose tools/cluster/up.sh made $CLUSTER.
  knobs="${CLUSTER_KNOBS:-}"
  NAMESPACES=()  # Gone with the cluster.
  "$owner/tools/cluster/down.sh" >"$OUT/cluster-down.log" 2>&1
  CLUSTER_NODES="$(sed -n 's/.*nodes=\([0-9]*\).*/\1/p' <<<"$knobs")" \
    CLUSTER_ENDPOINTS="$(sed -n 's/.*endpoints=\([a-z]*\).*/\1/p' <<<"$knobs")" \
    CLUSTER_KWOK_PARALLELISM="$(sed -n 's/.*kwok-parallelism=\([0-9]*\).*/\1/p' <<<"$knobs")" \
    "$owner/tools/cluster/up.sh" >"$OUT/cluster-up.log" 2>&1 ||
    { echo "scale: the cluster did not start again; see $OUT/cluster-up.log" >&2; exit 1; }
  source "$CLUSTER/env"
  EXEC_NODES="${KWOK_NODES// /,}"
  install_crd
  echo "scale: a fresh cluster ($CLUSTER_KNOBS)" >&2
}
# Before each measured phase: the phase before it ends when its last driver exists or its last app is COMPLETED,
# while kwok still runs its pods to their end and the controller-manager follows their endpoints. Without the
# wait that work fell into the next phase's window: with the references first, the native phase carried 20.7 pod
# status patches per app instead of 8.0 (its own), the earlier phases' 12,000 pods (docs/measurements.md).
settle_before() {
  settle_server "${SETTLE_TIMEOUT:-300}"
  echo "scale: the server settled before $1 after $SETTLED_S s" >&2
}
stop_controller() {
  kill "$CTL"
  wait "$CTL" 2>/dev/null || true
  CTL=""
}

install_crd() {
  K apply --server-side --force-conflicts -k "$ROOT/deploy/crd" >/dev/null
  # A CRD created this instant has no conditions yet, which `kubectl wait` takes for an error.
  for _ in $(seq 50); do
    K wait --for condition=established crd/sparkapplications.spark-operator.k8s.io >/dev/null 2>&1 && break
    sleep 0.2
  done
}
install_crd
echo "scale: N=$N, controller --kube-api-qps=$QPS --kube-api-burst=$BURST --workers=$WORKERS" \
  "--native-submission-concurrency=$NATIVE_C --ui-service-type=$UI_TYPE ${CONTROLLER_FLAGS:-}; ORDER=$ORDER; cluster" \
  "${CLUSTER_KNOBS:-nodes=? (an older tools/cluster/up.sh)}; output in $OUT" >&2

# ---- The references (phase 3), defined here since ORDER=reference-first runs them before phase 1.
# Alone, the server does only the raw writes and the pods' scheduling and kwok updates. The native phase also
# carries what Spark's drivers do once they exist (the player's 5 executor pods per driver, their kwok updates,
# the drivers' exit): that load competes with submission for the same server, so the like-for-like reference runs
# the same player beside the raw loop.
# raw_run <namespace> <output prefix> [raw_writes flags] (the namespace exists): sets RAW_RATE, RAW_API (server
# CPU seconds) and RAW_WPA (server writes per app).
raw_run() {
  local api0 writes0
  api0=$(cpu_seconds "$KUBE_APISERVER_PID")
  writes0=$(api_writes)
  "$BUILD/bin/raw_writes" --kubeconfig="$KUBECONFIG_PATH" --ns="$1" --apps="$N" --app_file="$APP_FILE" \
    --kube_api_qps="$QPS" --kube_api_burst="$BURST" --concurrency="$NATIVE_C" "${@:3}" >"$2.txt" 2>"$2.log"
  RAW_API=$(awk -v a="$api0" -v b="$(cpu_seconds "$KUBE_APISERVER_PID")" 'BEGIN {printf "%.1f", b - a}')
  RAW_WPA=$(awk -v a="$writes0" -v b="$(api_writes)" -v n="$N" 'BEGIN {printf "%.1f", (b - a) / n}')
  RAW_RATE=$(awk '$1 == "raw_apps_per_min" {printf "%.0f", $2}' "$2.txt")
  cpu_of "$(basename "$2")" "$2.txt" raw_start_unix raw_seconds
}
# played_raw_run <namespace> <output prefix> [raw_writes flags]: raw_run in a new namespace with the player
# playing its drivers; also writes <output prefix>.writes-{0,1}.txt (api_writes_by before and after).
played_raw_run() {
  local player_pid
  fresh_cluster
  new_namespace "$1"
  settle_before "$(basename "$2")"
  api_writes_by >"$2.writes-0.txt"
  "$BUILD/bin/scale_player" --kubeconfig="$KUBECONFIG_PATH" --ns="$1" --create=false --drivers="$N" \
    --executor_nodes="$EXEC_NODES" --timeout="$TIMEOUT" >"$2.player.txt" 2>"$2.player.log" &
  player_pid=$!
  until grep -q "scale_player: watching" "$2.player.log" 2>/dev/null; do
    kill -0 "$player_pid" 2>/dev/null || { echo "scale: the player of $1 exited; see $2.player.log" >&2; exit 1; }
    sleep 0.05
  done
  profile_apiserver "$(basename "$2")"
  raw_run "$@"
  wait "$player_pid" || echo "scale: the player of $1 did not play every driver; see $2.player.log" >&2
  api_writes_by >"$2.writes-1.txt"
}
# reference_phases: the raw loop alone (RAW_ALONE=1), with its drivers played (the ratio's reference) and the
# floor (phase 3 above, bench/raw_writes.cc). The floor goes first when the references go first, so that with
# RAW_ALONE=0 the two orders mirror each other (the raw loop alone is first in both).
reference_phases() {
  raw_alone_rate=0 raw_alone_api=- raw_alone_wpa=-  # "-": not run
  if [[ "${RAW_ALONE:-1}" == 1 ]]; then
    fresh_cluster
    new_namespace "scale-raw-$TAG"
    settle_before raw
    raw_run "scale-raw-$TAG" "$OUT/raw"
    raw_alone_rate="$RAW_RATE" raw_alone_api="$RAW_API" raw_alone_wpa="$RAW_WPA"
  fi
  local step steps="raw floor"
  if [[ "$ORDER" == reference-first ]]; then steps="floor raw"; fi
  for step in $steps; do
    if [[ "$step" == raw ]]; then
      played_raw_run "scale-rawp-$TAG" "$OUT/raw-played"
      raw_rate="$RAW_RATE" raw_api="$RAW_API" raw_wpa="$RAW_WPA"
    else
      played_raw_run "scale-rawm-$TAG" "$OUT/raw-marked" --app_and_mark
      floor_rate="$RAW_RATE" floor_api="$RAW_API" floor_wpa="$RAW_WPA"
    fi
  done
  echo "scale: raw (drivers played): $raw_rate apps/min; with each app's create and mark: $floor_rate apps/min" >&2
}

if [[ "$ORDER" == reference-first ]]; then reference_phases; fi

# ---- 1. native
NS_NATIVE="scale-native-$TAG"
fresh_cluster
new_namespace "$NS_NATIVE"
settle_before native
start_controller "$NS_NATIVE" native "$OUT/controller-native.log"
api0=$(cpu_seconds "$KUBE_APISERVER_PID")
writes0=$(api_writes)
api_writes_by >"$OUT/writes-native-0.txt"
etcd0=$(cpu_seconds "$ETCD_PID")
ctl0=$(cpu_seconds "$CTL")
t0=$(now)
profile_apiserver native
"$BUILD/bin/scale_player" --kubeconfig="$KUBECONFIG_PATH" --ns="$NS_NATIVE" --apps="$N" --app_file="$APP_FILE" \
  --executor_nodes="$EXEC_NODES" \
  --timeout="$TIMEOUT" >"$OUT/native.txt" 2>"$OUT/player-native.log"
wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}')
api1=$(cpu_seconds "$KUBE_APISERVER_PID")
writes1=$(api_writes)
api_writes_by >"$OUT/writes-native-1.txt"
etcd1=$(cpu_seconds "$ETCD_PID")
ctl_cpu=$(awk -v a="$ctl0" -v b="$(cpu_seconds "$CTL")" 'BEGIN {printf "%.1f", b - a}')
ctl_hwm_kb=$(proc_kb "$CTL" VmHWM)
native_controller=$(controller_figures || echo "not read")
# A native lane's mean time per submission (its requests), from the controller's histogram of them.
native_lane_ms=$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '
  /^spark_operator_native_submission_duration_seconds_sum/ {s = $2}
  /^spark_operator_native_submission_duration_seconds_count/ {c = $2}
  END {printf "%.0f", (c > 0 ? 1000 * s / c : 0)}' || echo "?")
PODS=$(K get pods -n "$NS_NATIVE" -o name | wc -l)
stop_controller
native_rate=$(awk -v n="$N" -v s="$(val "$OUT/native.txt" drivers_seconds)" 'BEGIN {printf "%.0f", (s > 0 ? n * 60 / s : 0)}')
completed=$(val "$OUT/native.txt" completed)
cpu_of native "$OUT/native.txt" start_unix drivers_seconds
stuck=$((N - completed))
# Each phase's figures as soon as measured, so that a run stopped early (N=10,000 takes hours) keeps them.
echo "scale: native: drivers $(val "$OUT/native.txt" drivers_seconds) s ($native_rate apps/min), completed" \
  "$completed of $N after $(val "$OUT/native.txt" completed_seconds) s, peak RSS $((ctl_hwm_kb / 1024)) MB at" \
  "$PODS pods, controller CPU $ctl_cpu s of $wall s" >&2

# ---- 2. restart with N apps stored
start_controller "$NS_NATIVE" native "$OUT/controller-restart.log"
restart_ready="$READY_S"
restart_pods_ms=""
for _ in $(seq $((TIMEOUT * 10))); do
  restart_pods_ms=$(sed -n 's/.*the pod cache is full after \([0-9]*\) ms.*/\1/p' "$OUT/controller-restart.log")
  [[ -n "$restart_pods_ms" ]] && break
  sleep 0.1
done
restart_pods_s=$(awk -v ms="$restart_pods_ms" 'BEGIN {print (ms == "" ? "never" : sprintf("%.1f s", ms / 1000))}')
sleep 2
restart_rss_kb=$(proc_kb "$CTL" VmHWM)
stop_controller
echo "scale: restart: /readyz after $restart_ready s, pod cache full after $restart_pods_s, VmHWM" \
  "$((restart_rss_kb / 1024)) MB" >&2
# Again with the fake cluster's own work paused: at N=10,000 kwok and the controller-manager keep both cores busy
# for hours after the submissions (60,000 pods to run, 10,000 Services' endpoints), and /readyz then measures their
# load on the server. The server settles first: less than a tenth of a core for a second, or 30 s at most.
pause_cluster
settle_server 30
# The reference: the server's own list of the apps, from its watch cache as the informer's streamed list is.
server_list_s=$(curl -fsS --cacert "$APISERVER_CA" --cert "$ADMIN_CLIENT_CERT" --key "$ADMIN_CLIENT_KEY" \
  -o /dev/null -w '%{time_total}' \
  "$APISERVER_URL/apis/spark-operator.k8s.io/v1alpha1/namespaces/$NS_NATIVE/sparkapplications?resourceVersion=0" |
  awk '{printf "%.3f", $1}')
start_controller "$NS_NATIVE" native "$OUT/controller-restart-quiet.log"
quiet_ready="$READY_S"
stop_controller
resume_cluster
echo "scale: restart, the fake cluster paused: /readyz after $quiet_ready s; the server's list of the $N apps" \
  "$server_list_s s" >&2

# ---- 3. raw API writes: alone, with the drivers played as in phase 1 (the reference for the ratio), and the floor
if [[ "$ORDER" != reference-first ]]; then reference_phases; fi
# Where the server's writes went, per app, from every client: the native phase (until every app COMPLETED) against
# the raw loop with its player (until the player played every driver).
join -a1 -a2 -e 0 -o 0,1.2,2.2 <(writes_per_app "$OUT/writes-native-0.txt" "$OUT/writes-native-1.txt" |
  awk '{print $1 "_" $2, $3}' | sort) <(writes_per_app "$OUT/raw-played.writes-0.txt" "$OUT/raw-played.writes-1.txt" |
  awk '{print $1 "_" $2, $3}' | sort) | sort -k2 -rn | awk '
  BEGIN {print "scale: server writes per app by verb and resource: native | raw with its player"}
  {printf "scale:   %-40s %6.1f | %6.1f\n", $1, $2, $3; n += $2; r += $3}
  END {printf "scale:   %-40s %6.1f | %6.1f\n", "all", n, r}' | tee "$OUT/writes-per-app.txt" >&2

# Where the machine's CPU went in each window (first app to last driver pod), per app, by process: the submitter
# is spark-operator-controller in the native phase and raw_writes in the others; scale_player plays the drivers.
join -a1 -a2 -e - -o 0,1.2,2.2 <(cpu_lines native | sort) <(cpu_lines raw-played | sort) 2>/dev/null |
  join -a1 -a2 -e - -o 0,1.2,1.3,2.2 - <(cpu_lines raw-marked | sort) 2>/dev/null | sort -k2 -rn | awk '
  BEGIN {print "scale: CPU ms per app in each window, by process: native | raw with its player | floor"}
  {printf "scale:   %-40s %6s | %6s | %6s\n", $1, $2, $3, $4}' | tee "$OUT/cpu-per-app.txt" >&2

# ---- 4. spark-submit
ss_rate=0
if ((SS_N > 0)); then
  NS_SS="scale-ss-$TAG"
  new_namespace "$NS_SS"
  start_controller "$NS_SS" spark-submit "$OUT/controller-spark-submit.log"
  "$BUILD/bin/scale_player" --kubeconfig="$KUBECONFIG_PATH" --ns="$NS_SS" --apps="$SS_N" --app_file="$APP_FILE" \
    --executor_nodes="$EXEC_NODES" \
    --timeout="$TIMEOUT" >"$OUT/spark-submit.txt" 2>"$OUT/player-spark-submit.log"
  stop_controller
  ss_rate=$(awk -v n="$SS_N" -v s="$(val "$OUT/spark-submit.txt" drivers_seconds)" \
    'BEGIN {printf "%.0f", (s > 0 ? n * 60 / s : 0)}')
fi

# ---- 5. native again with the initializer (the webhook) in the path, the example's ConfigMap mounts
wh_rate=""
if [[ "${WEBHOOK:-1}" == 1 ]]; then
  root="$ROOT"
  work="$OUT/initializer"
  mkdir -p "$work" && chmod 700 "$work"
  log() { echo "scale: $*" >&2; }
  fail() { echo "scale: FAILED: $*" >&2; exit 1; }
  # shellcheck source=../tests/e2e/initializer_lib.bash
  . "$ROOT/tests/e2e/initializer_lib.bash"
  kubeconfig="$KUBECONFIG_PATH"
  NS_WH="scale-webhook-$TAG"
  fresh_cluster
  new_namespace "$NS_WH"
  WH_CONFIG="spark-operator-initializer-$NS_WH"
  init_start "$BUILD/bin/spark-operator-initializer" "$WH_CONFIG" "$NS_WH" initializer-certs
  init_register_webhook "$WH_CONFIG" "$NS_WH" "$init_port"
  settle_before webhook
  start_controller "$NS_WH" native "$OUT/controller-webhook.log"
  "$BUILD/bin/scale_player" --kubeconfig="$KUBECONFIG_PATH" --ns="$NS_WH" --apps="$N" --timeout="$TIMEOUT" \
    --executor_nodes="$EXEC_NODES" --app_file="$ROOT/deploy/examples/spark-application-example-configmaps.yaml" \
    >"$OUT/webhook.txt" 2>"$OUT/player-webhook.log"
  wh_hwm_kb=$(proc_kb "$CTL" VmHWM)
  stop_controller
  init_stop
  K delete mutatingwebhookconfiguration "$WH_CONFIG" --wait=false >/dev/null 2>&1 || true
  wh_rate=$(awk -v n="$N" -v s="$(val "$OUT/webhook.txt" drivers_seconds)" \
    'BEGIN {printf "%.0f", (s > 0 ? n * 60 / s : 0)}')
  wh_completed=$(val "$OUT/webhook.txt" completed)
  stuck=$((stuck + N - wh_completed))
fi

# ---- the table
F="$OUT/native.txt"
api_cpu=$(awk -v a="$api0" -v b="$api1" 'BEGIN {printf "%.1f", b - a}')
etcd_cpu=$(awk -v a="$etcd0" -v b="$etcd1" 'BEGIN {printf "%.1f", b - a}')
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }  # 0 when b is not measured.
ratio=$(ratio_of "$native_rate" "$raw_rate")
ratio_alone=$(ratio_of "$native_rate" "$raw_alone_rate")
ratio_floor=$(ratio_of "$native_rate" "$floor_rate")
floor_raw=$(ratio_of "$floor_rate" "$raw_rate")
rss_mb=$(awk -v k="$ctl_hwm_kb" 'BEGIN {printf "%.0f", k / 1024}')
row() { printf '%-58s %-34s %s\n' "$1" "$2" "$3"; }
echo
row "what (N=$N)" "figure" "target"
row "the local cluster (tools/cluster/up.sh)" "${CLUSTER_KNOBS:-?}" ""
row "native: all driver pods exist after" "$(val "$F" drivers_seconds) s = $native_rate apps/min" ">= 2,000 apps/min"
row "native: all COMPLETED after" "$(val "$F" completed_seconds) s ($completed of $N)" "all $N"
row "native: app created -> driver pod created" \
  "p50 $(val "$F" latency_p50_ms) ms, p99 $(val "$F" latency_p99_ms) ms, max $(val "$F" latency_max_ms) ms" ""
row "raw API writes, same 4 objects/app, qps $QPS, $NATIVE_C in flight" \
  "$(val "$OUT/raw-played.txt" raw_seconds) s = $raw_rate apps/min" ""
row "  (its drivers played as in the native phase)" "" ""
if [[ "${RAW_ALONE:-1}" == 1 ]]; then
  row "raw API writes alone (no executors, no driver exits)" \
    "$(val "$OUT/raw.txt" raw_seconds) s = $raw_alone_rate apps/min" ""
  alone_note="alone: $ratio_alone"
else
  row "raw API writes alone (no executors, no driver exits)" "not run (RAW_ALONE=0)" ""
  alone_note="alone: not run"
fi
row "raw + each app's create and mark (played): the floor" \
  "$(val "$OUT/raw-marked.txt" raw_seconds) s = $floor_rate apps/min" ""
lane_ms_of() { val "$OUT/$1.txt" raw_submission_mean_ms; }
row "a lane's mean time for an app's objects: native / raw / floor" \
  "$native_lane_ms / $(lane_ms_of raw-played) / $(lane_ms_of raw-marked) ms" ""
row "native / raw ($ORDER)" "$ratio ($alone_note)" ">= 0.80"
row "native / floor (the controller's own cost)" "$ratio_floor" ""
row "floor / raw (the app's create and its mark)" "$floor_raw" ""
if ((SS_N > 0)); then
  row "spark-submit ($SS_N apps)" "$ss_rate apps/min" ""
else
  row "spark-submit" "not run (SS_N=0)" ""
fi
row "controller peak RSS (VmHWM) at $PODS pods" "$rss_mb MB" "< 64 MB at 60,000 pods"
cpu_row_of() { cpu_lines "$1" | awk -v k="$2" '$1 == k {print $2}'; }
row "machine cores busy in the window: native / raw / floor" \
  "$(cpu_row_of native cores_busy) / $(cpu_row_of raw-played cores_busy) / $(cpu_row_of raw-marked cores_busy) of $(nproc)" ""
row "machine CPU ms per app in the window: native / raw / floor" \
  "$(cpu_row_of native all) / $(cpu_row_of raw-played all) / $(cpu_row_of raw-marked all)" ""
row "controller CPU, native phase" "$ctl_cpu s of $wall s wall" ""
row "controller, native phase (its /metrics)" "$native_controller" ""
row "kube-apiserver / etcd CPU, native phase" "$api_cpu s / $etcd_cpu s" ""
row "kube-apiserver CPU, raw phase (played / alone / floor)" "$raw_api s / $raw_alone_api s / $floor_api s" ""
# What the API server did per app, from all clients: the native phase also carries the apps' creation, the status
# writes, Events and UI Services, the executor pods the player makes, kwok's and the scheduler's updates.
native_wpa=$(awk -v a="$writes0" -v b="$writes1" -v n="$N" 'BEGIN {printf "%.1f", (b - a) / n}')
row "API server writes per app (all clients), native / raw played / raw alone / floor" \
  "$native_wpa / $raw_wpa / $raw_alone_wpa / $floor_wpa" ""
row "controller restart with $N apps, $PODS pods stored: /readyz" \
  "$restart_ready s, pod cache full after $restart_pods_s (VmHWM $((restart_rss_kb / 1024)) MB)" "< 2 s at 10,000"
row "  the same, kwok, controller-manager and scheduler paused" \
  "$quiet_ready s; the server's own list of the apps $server_list_s s" "< 2 s at 10,000"
if [[ -n "$wh_rate" ]]; then
  W="$OUT/webhook.txt"
  row "native + initializer (ConfigMap mounts): all drivers after" "$(val "$W" drivers_seconds) s = $wh_rate apps/min" ""
  row "native + initializer: all COMPLETED after" "$(val "$W" completed_seconds) s ($wh_completed of $N)" "all $N"
  row "native + initializer: app created -> driver pod created" \
    "p50 $(val "$W" latency_p50_ms) ms, p99 $(val "$W" latency_p99_ms) ms" ""
  row "native + initializer: controller peak RSS" "$((wh_hwm_kb / 1024)) MB" ""
else
  row "native + initializer" "not run (WEBHOOK=0)" ""
fi
row "apps not COMPLETED" "$stuck" "0"
echo "native $native_rate apps/min, spark-submit $ss_rate apps/min, raw API writes $raw_rate apps/min" \
  "($raw_alone_rate alone, $floor_rate with each app's create and mark)," \
  "native/raw $ratio, controller peak RSS $rss_mb MB at $PODS pods"
((stuck == 0)) || { echo "scale: $stuck apps not COMPLETED; see $OUT" >&2; exit 1; }
