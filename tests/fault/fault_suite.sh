#!/usr/bin/env bash
# The fault-injection suite (`make test-fault`, CTest label `fault`). Runs the controller (two replicas, leader
# election on, each restarted by a supervisor when it dies) and the initializer against the local cluster, feeds
# them FAULT_APPS SparkApplications (default 1000; kwok drivers finish 1-8 s after they start, some fail, some
# rerun) and, spread over the run by the share of apps created so far, injects:
#   - SIGKILL of the leading controller (FAULT_KILLS, default max(4, apps/50)); every other kill waits until an
#     app is marked for an attempt whose driver pod does not exist yet, and counts a hit when the pod still did
#     not exist after the kill;
#   - a kube-apiserver restart (SIGKILL, same arguments), and later an etcd compaction followed by another one,
#     so that the leader's watches resume from a compacted resourceVersion (410 Gone) and it lists again;
#   - SIGSTOP of kube-apiserver for FAULT_STOP_SECONDS (default the lease plus 10 s);
#   - a certificate renewal of the initializer (its Secret gets a certificate that expires in 3 days, so the
#     next check renews it) while a steady stream of dry-run Spark pods counts failed admissions.
# Then it waits until every app is terminal and checks the API server's objects (check_apps.py): one driver pod
# per attempt, every app terminal with its driver's outcome, none lost, no driver pod without an owner. Prints
#   fault suite: apps N, controller kills K, apiserver restarts R, duplicate drivers D, lost apps L, orphan pods O, failed admissions F
# and fails unless D, L, O and F are 0. Uses the running local cluster, or starts one and stops it at the end.
# Logs stay in .local/fault/ (FAULT_WORK).
# FAULT_SUBMITTER=native runs the replicas with native submission (default spark-submit: its seconds-long
# submissions are what the kills between an attempt's mark and its driver aim at). With native, every
# FAULT_JVM_EVERY-th app (default 10) sets a Spark key the native builder does not know, so it goes through
# spark-submit as such apps do in production, and the targeted kills still find seconds-long windows.
# The replicas' lease lasts FAULT_LEASE_SECONDS (default 30): an apiserver restart under this load takes about
# 15 s, and the leader must keep its lease across it for its watches to resume (and meet 410 Gone) rather than a
# successor listing afresh.
# The suite fails when a fault did not land: no watch saw 410 Gone, or no targeted kill hit the window.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tests/fault"
bin="${SO_BIN_DIR:-$root/build/bin}"
cluster_dir="${SO_CLUSTER_DIR:-$root/.local/cluster}"
apps="${FAULT_APPS:-1000}"
kills_wanted="${FAULT_KILLS:-$((apps / 50 > 4 ? apps / 50 : 4))}"
inflight="${FAULT_INFLIGHT:-16}"        # apps created but not finished, kept topped up
lease_seconds="${FAULT_LEASE_SECONDS:-30}"
renew_seconds=$((lease_seconds * 3 / 4))
stop_seconds="${FAULT_STOP_SECONDS:-$((lease_seconds + 10))}"
jvm_every="${FAULT_JVM_EVERY:-10}"
settle_seconds="${FAULT_SETTLE_SECONDS:-300}"
submission_retries=5
prefix="f-"
batch_size=50
work="${FAULT_WORK:-$root/.local/fault}"
ns="fault-$$"
config="spark-operator-initializer-$ns"
cert_secret="fault-initializer-certs"
lease="fault-controller"
label="fault.spark-operator.k8s.io"
t0=$SECONDS

log() { echo "fault: [$((SECONDS - t0))s] $*" >&2; }
fail() { fail_with_logs fault "$work" 15 "$@"; }
# shellcheck source=../e2e/initializer_lib.bash
. "$root/tests/e2e/initializer_lib.bash"
# shellcheck source=../../tools/lib/cluster.bash
. "$root/tools/lib/cluster.bash"
# shellcheck source=../../tools/lib/fail.bash
. "$root/tools/lib/fail.bash"

rm -rf "$work"
mkdir -p "$work"
chmod 700 "$work"
started_cluster=0
init_pid=""
probe_pid=""
supervisors=()
apiserver_stopped=""
cleanup() {
  set +e
  [ -n "$apiserver_stopped" ] && kill -CONT "$apiserver_stopped" 2>/dev/null
  touch "$work/stopping"
  local s r
  for s in "${supervisors[@]}"; do kill "$s" 2>/dev/null; wait "$s" 2>/dev/null; done
  for r in a b; do
    [ -f "$work/controller-$r.pid" ] && kill "$(cat "$work/controller-$r.pid")" 2>/dev/null
  done
  [ -n "$probe_pid" ] && { kill "$probe_pid" 2>/dev/null; wait "$probe_pid" 2>/dev/null; }
  # spark-submit runs of killed controllers outlive them; they are ours by the namespace only this run uses.
  for d in /proc/[0-9]*; do
    tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -q -- "spark.kubernetes.namespace=$ns " && kill "${d#/proc/}" 2>/dev/null
  done
  init_stop
  if [ -n "${kubeconfig:-}" ] && ((!started_cluster)); then
    kc delete mutatingwebhookconfiguration "$config" --ignore-not-found --wait=false >/dev/null 2>&1
    kc delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1
  fi
  ((started_cluster)) && "$root/tools/cluster/down.sh" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that the EXIT trap runs on a signal too

# ---------------------------------------------------------------- setup
if ! "$root/tools/cluster/status.sh" >/dev/null 2>&1; then
  log "starting the local cluster"
  started_cluster=1
  "$root/tools/cluster/up.sh" >"$work/up.log" 2>&1 || fail "tools/cluster/up.sh failed (see $work/up.log)"
fi
init_load_cluster_env "$cluster_dir"
init_fetch_spark
for b in spark-operator-controller spark-operator-initializer; do
  [ -x "$bin/$b" ] || fail "$bin/$b missing (build the target $b)"
done
kc apply --server-side --force-conflicts -k "$root/deploy/crd" >/dev/null || fail "the API server refused the CRD"
KUBECONFIG="$kubeconfig" cluster_wait_established 60 sparkapplications.spark-operator.k8s.io \
  || fail "the SparkApplication CRD was not Established within 60 s"
init_create_namespace "$ns"
kc -n "$ns" create configmap fault-conf --from-literal=settings=1 >/dev/null
init_start "$bin/spark-operator-initializer" "$config" "$ns" "$cert_secret" --cert-check-interval-seconds=2
init_register_webhook "$config" "$ns" "$init_port"

# A replica: restarted whenever it exits, until the suite stops.
supervise() { # <replica>
  local r="$1" pid rc
  while [ ! -e "$work/stopping" ]; do
    "$bin/spark-operator-controller" --kubeconfig="$kubeconfig" --submitter="${FAULT_SUBMITTER:-spark-submit}" \
      --spark-submit="$submit" --metrics-port=-1 \
      --namespaces="$ns" --leader-elect --lease-namespace="$ns" --lease-name="$lease" \
      --lease-duration="$lease_seconds" --renew-deadline="$renew_seconds" \
      >>"$work/controller-$r.log" 2>&1 &
    pid=$!
    echo "$pid" >"$work/controller-$r.pid"
    rc=0
    wait "$pid" || rc=$?
    echo "fault supervisor: controller pid $pid exited $rc" >>"$work/controller-$r.log"
    sleep 0.5 # a binary that cannot start must not spin
  done
}
supervise a &
supervisors+=($!)
supervise b &
supervisors+=($!)

# The leader's pid: its identity is <hostname>_<pid>; only one of ours counts (not a previous run's).
leader_pid() {
  local holder pid r
  holder="$(kc -n "$ns" get lease "$lease" -o jsonpath='{.spec.holderIdentity}' --request-timeout=5s 2>/dev/null)" \
    || return 1
  pid="${holder##*_}"
  for r in a b; do
    [ "$(cat "$work/controller-$r.pid" 2>/dev/null)" = "$pid" ] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  done
  return 1
}
deadline=$((SECONDS + 60))
until leader_pid >/dev/null; do
  ((SECONDS < deadline)) || fail "no controller replica became leader within 60 s"
  sleep 0.5
done
log "setup done: namespace $ns, initializer on port $init_port, leader pid $(leader_pid)"

# ---------------------------------------------------------------- applications
# The kind of app i: every 10th fails and reruns once (2 driver pods), the next fails once, the rest complete.
app_yaml() { # <index>
  local i="$1" code=0 retries=0 state=COMPLETED runs=1
  case $((i % 10)) in
    0) code=1 retries=1 state=FAILED runs=2 ;;
    1) code=1 state=FAILED ;;
  esac
  local conf="{}"
  if [ "${FAULT_SUBMITTER:-spark-submit}" = native ] && ((jvm_every > 0 && i % jvm_every == jvm_every / 2)); then
    conf='{spark.kubernetes.faultsuite.via-spark-submit: "true"}'
  fi
  cat <<YAML
---
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata:
  name: $prefix$i
  namespace: $ns
  labels: {$label/batch: "$((i / batch_size))", $label/expect-state: $state, $label/expect-runs: "$runs"}
spec:
  type: Scala
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  image: apache/spark:${spark_version:-4.2.0}
  driver:
    memory: 512m
    annotations: {sim.spark-operator.k8s.io/run-seconds: "$((1 + RANDOM % 8))", sim.spark-operator.k8s.io/exit-code: "$code"}
    configMaps: [{name: fault-conf, path: /etc/fault}]
  executor: {instances: 1, memory: 512m}
  sparkConf: $conf
  restartPolicy: {type: OnFailure, onFailureRetries: $retries, onFailureRetryInterval: 1,
                  onSubmissionFailureRetries: $submission_retries, onSubmissionFailureRetryInterval: 2}
YAML
}

created=0
finished=0
closed_batches=0 # batches below this index are all created and all finished
# Counts finished apps (COMPLETED, FAILED or SUBMISSION_FAILED) by listing only the batches still open.
refresh_progress() {
  local last=$(((created - 1) / batch_size)) b list="" out open_done=0 state
  ((created > 0)) || return 0
  for ((b = closed_batches; b <= last; b++)); do list+="${list:+,}$b"; done
  out="$(kc -n "$ns" get sparkapplications -l "$label/batch in ($list)" --request-timeout=20s \
    -o jsonpath='{range .items[*]}{.metadata.labels.fault\.spark-operator\.k8s\.io/batch} {.status.applicationState.state}{"\n"}{end}' \
    2>/dev/null)" || return 0
  declare -A done_in=()
  while read -r b state; do
    case "$state" in COMPLETED | FAILED | SUBMISSION_FAILED) done_in[$b]=$((${done_in[$b]:-0} + 1)) ;; esac
  done <<<"$out"
  while ((closed_batches <= last)) && ((${done_in[$closed_batches]:-0} == batch_size)); do
    closed_batches=$((closed_batches + 1))
  done
  for ((b = closed_batches; b <= last; b++)); do open_done=$((open_done + ${done_in[$b]:-0})); done
  finished=$((closed_batches * batch_size + open_done))
}

create_more() {
  local want=$((inflight - (created - finished))) i yaml=""
  ((want > apps - created)) && want=$((apps - created))
  ((want > 0)) || return 0
  for ((i = created; i < created + want; i++)); do yaml+="$(app_yaml "$i")"$'\n'; done
  # Retried on the next round when the API server is down; apply is idempotent by name.
  if kc apply --request-timeout=30s -f - >/dev/null 2>>"$work/create-errors.log" <<<"$yaml"; then
    created=$((created + want))
  fi
}

# ---------------------------------------------------------------- faults
kills=0
window_hits=0
restarts=0
rotated=""
probe_counts='{"ok": 0, "failed": 0, "errors": {}}'

# SIGKILL of the leader. With <targeted>, first waits (up to 30 s) for an app marked for an attempt whose driver
# pod does not exist yet, and counts a hit when that pod still did not exist after the kill.
kill_leader() { # <targeted: 0|1>
  local pid="" victim="" pod="" deadline=$((SECONDS + 60)) line state
  until pid="$(leader_pid)"; do
    ((SECONDS < deadline)) || { log "no leader to kill for 60 s"; return 0; }
    sleep 0.3
  done
  if (($1)); then
    deadline=$((SECONDS + 30))
    while [ -z "$victim" ] && ((SECONDS < deadline)); do
      while read -r line state pod; do
        [ "$state" = NEW ] && [ -n "$pod" ] || continue
        if [ -z "$(kc -n "$ns" get pod "$pod" --ignore-not-found -o name --request-timeout=5s 2>/dev/null)" ]; then
          victim="$pod"
          break
        fi
      done < <(kc -n "$ns" get sparkapplications -l "$label/batch in ($((closed_batches)),$((closed_batches + 1)),$((closed_batches + 2)))" \
        --request-timeout=10s \
        -o jsonpath='{range .items[*]}{.metadata.name} {.status.applicationState.state} {.status.driverInfo.podName}{"\n"}{end}' \
        2>/dev/null)
      [ -n "$victim" ] || sleep 0.2
    done
    pid="$(leader_pid)" || { log "the leader changed while looking for a marked app"; return 0; }
  fi
  kill -KILL "$pid" 2>/dev/null || return 0
  kills=$((kills + 1))
  if [ -n "$victim" ] && [ -z "$(kc -n "$ns" get pod "$victim" --ignore-not-found -o name --request-timeout=10s 2>/dev/null)" ]; then
    window_hits=$((window_hits + 1))
    log "kill $kills: leader pid $pid, between marking and creating driver $victim"
  else
    log "kill $kills: leader pid $pid${victim:+ (driver $victim appeared before the kill landed)}"
  fi
}

restart_apiserver() {
  "$root/tools/cluster/restart-apiserver.sh" >>"$work/faults.log" 2>&1 || fail "restarting kube-apiserver failed"
  restarts=$((restarts + 1))
  log "kube-apiserver restarted ($restarts)"
}

compact_and_restart() {
  local rev before
  before="$(leader_pid || echo none)"
  rev="$(cluster_etcd_compact)" || fail "etcd compaction failed"
  log "etcd compacted at revision $rev; leader pid $before"
  restart_apiserver
  log "leader pid after the restart: $(leader_pid || echo none)"
}

stop_apiserver() {
  local pid before after
  pid="$(cluster_apiserver_pid "$cluster_dir")"
  before="$(leader_pid || echo none)"
  apiserver_stopped="$pid"
  kill -STOP "$pid"
  log "kube-apiserver stopped (SIGSTOP) for ${stop_seconds}s; leader pid $before"
  sleep "$stop_seconds" # the fault itself: how long the API server hangs
  kill -CONT "$pid"
  apiserver_stopped=""
  cluster_wait_ready 60 || fail "kube-apiserver not ready after SIGCONT"
  after="$(leader_pid || echo none)"
  log "kube-apiserver resumed; leader pid $after"
}

served_fingerprint() {
  openssl s_client -connect "127.0.0.1:$init_port" </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# The Secret gets a serving certificate from the same CA that expires in 3 days: the initializer's next check
# (every 2 s) renews it, as it would 30 days before expiry. Admissions are counted from before until after.
rotate_certs() {
  local d="$work/rotation" old_fp old_ca fp ca deadline
  mkdir -p "$d"
  python3 "$here/admission_probe.py" --namespace "$ns" --configmap fault-conf --rate 20 --out "$work/probe.json" \
    2>>"$work/probe.log" &
  probe_pid=$!
  old_fp="$(served_fingerprint)"
  old_ca="$(kc get mutatingwebhookconfiguration "$config" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')"
  kc -n "$ns" get secret "$cert_secret" -o jsonpath='{.data.ca\.crt}' | base64 -d >"$d/ca.crt"
  kc -n "$ns" get secret "$cert_secret" -o jsonpath='{.data.ca\.key}' | base64 -d >"$d/ca.key"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/tls.key" 2>/dev/null
  openssl req -new -key "$d/tls.key" -subj "/CN=fault-expiring" -out "$d/tls.csr" 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1" >"$d/tls.ext"
  openssl x509 -req -in "$d/tls.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3 \
    -extfile "$d/tls.ext" -out "$d/tls.crt" 2>/dev/null || fail "could not make the expiring certificate"
  kc -n "$ns" patch secret "$cert_secret" --type=merge -p "{\"data\":{\"tls.crt\":\"$(base64 -w0 "$d/tls.crt")\",\"tls.key\":\"$(base64 -w0 "$d/tls.key")\"}}" \
    >/dev/null || fail "could not store the expiring certificate"
  log "initializer certificate due for renewal (Secret $cert_secret)"
  deadline=$((SECONDS + 90))
  while ((SECONDS < deadline)); do
    fp="$(served_fingerprint)"
    ca="$(kc get mutatingwebhookconfiguration "$config" -o jsonpath='{.webhooks[0].clientConfig.caBundle}' 2>/dev/null)"
    # Renewal keeps the CA (the caBundle changes only when a new CA is due), so the served certificate is the sign.
    if [ -n "$fp" ] && [ "$fp" != "$old_fp" ] && [ -n "$ca" ]; then rotated=yes; break; fi
    sleep 0.5
  done
  [ -n "$rotated" ] || fail "the initializer did not renew its certificate within 90 s (see $init_log)"
  log "initializer serves a renewed certificate$([ "$ca" != "$old_ca" ] && echo " and published a new CA")"
  # Admissions keep being counted for a while after the switch: the API server picks up the new caBundle late.
  sleep 10
  kill "$probe_pid"
  wait "$probe_pid" || fail "the admission probe failed (see $work/probe.log)"
  probe_pid=""
  probe_counts="$(cat "$work/probe.json")"
  log "admissions during the rotation: $probe_counts"
}

# The schedule: "<per mille of apps created> <fault> [arg]"; kill k lands in the k-th of kills_wanted equal slots
# of 3-93%, at a random point of its middle 80%.
schedule=()
for ((k = 0; k < kills_wanted; k++)); do
  schedule+=("$((30 + (k * 900 + 450 + (RANDOM % 800 - 400) * 9 / 10) / kills_wanted)) kill $((k % 2))")
done
schedule+=("250 apiserver" "450 compact" "650 sigstop" "800 rotate")
mapfile -t schedule < <(printf '%s\n' "${schedule[@]}" | sort -n)
next=0
last_log=0

log "running $apps apps, $kills_wanted kills, in-flight $inflight"
while ((created < apps || next < ${#schedule[@]})); do
  refresh_progress
  create_more
  while ((next < ${#schedule[@]})); do
    read -r at what arg <<<"${schedule[$next]}"
    ((created * 1000 >= at * apps)) || break
    next=$((next + 1))
    case "$what" in
      kill) sleep "0.$((RANDOM % 10))"; kill_leader "$arg" ;;
      apiserver) restart_apiserver ;;
      compact) compact_and_restart ;;
      sigstop) stop_apiserver ;;
      rotate) rotate_certs ;;
    esac
    break # one fault per round, so that the load is topped up in between
  done
  if ((SECONDS - last_log >= 10)); then log "created $created, finished $finished"; last_log=$SECONDS; fi
  sleep 1
done

log "all $apps apps created; waiting up to ${settle_seconds}s for them to finish"
deadline=$((SECONDS + settle_seconds))
while ((finished < apps && SECONDS < deadline)); do
  refresh_progress
  sleep 2
done
log "finished $finished of $apps"

# ---------------------------------------------------------------- verdict, from the API server's objects
kc -n "$ns" get sparkapplications -o json --request-timeout=60s >"$work/apps.json" || fail "listing apps failed"
kc -n "$ns" get pods -l spark-role=driver -o json --request-timeout=60s >"$work/pods.json" || fail "listing pods failed"
kc -n "$ns" get events -o json --request-timeout=60s >"$work/events.json" || fail "listing events failed"
verdict="$(python3 "$here/check_apps.py" --apps "$work/apps.json" --pods "$work/pods.json" \
  --events "$work/events.json" --prefix "$prefix" --count "$apps" --submission-retries "$submission_retries")" \
  || fail "check_apps.py failed"
echo "$verdict" >"$work/verdict.json"
jq -r '.problems[]' <<<"$verdict" | sed 's/^/fault: problem: /' >&2
D="$(jq -r .duplicates <<<"$verdict")"
L="$(jq -r .lost <<<"$verdict")"
O="$(jq -r .orphans <<<"$verdict")"
F=$(($(jq -r .webhook_failures <<<"$verdict") + $(jq -r .failed <<<"$probe_counts")))
gone="$(cat "$work"/controller-*.log | grep -c 'expired (' || true)"
log "details: window hits $window_hits, watch 410s $gone, admissions probed $(jq -r '.ok + .failed' <<<"$probe_counts"), run time $((SECONDS - t0))s, logs in $work"
echo "fault suite: apps $apps, controller kills $kills, apiserver restarts $restarts, duplicate drivers $D, lost apps $L, orphan pods $O, failed admissions $F"
((kills >= kills_wanted)) || fail "only $kills of $kills_wanted controller kills happened"
((D == 0 && L == 0 && O == 0 && F == 0)) || fail "duplicate drivers, lost apps, orphan pods or failed admissions"
((gone > 0)) || fail "no watch saw 410 Gone: the compaction did not reach a live leader's watch"
((kills_wanted < 2 || window_hits > 0)) || fail "no targeted kill landed between an attempt's mark and its driver"
