#!/usr/bin/env bash
# `make demo`: the whole operator on the local cluster. Starts the cluster, installs the CRD, runs the
# initializer and the controller as local processes (the API server reaches the webhook over loopback), creates
# deploy/examples/spark-application-example.yaml, shows its progress and ends with its status, COMPLETED.
#   tools/demo.sh [build dir]     run the demo (idempotent: a second run replaces the first)
#   tools/demo.sh stop            stop the demo's controller and initializer (the cluster stays up)
# Pods on the local cluster run on a simulated node (kwok): the demo plays the driver's part by letting it exit 0
# after a few seconds of running, through the sim.spark-operator.k8s.io/exit-code annotation.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="$root/.local/demo"
app="spark-app-example"
ns="default"
config="spark-operator-initializer-demo"
step() { printf '\n== %s\n' "$*"; }
log() { echo "demo: $*" >&2; }
fail() { fail_with_logs demo "$state" 15 "$@"; }
# shellcheck source=../tests/e2e/initializer_lib.bash
. "$root/tests/e2e/initializer_lib.bash"
# shellcheck source=lib/progress.bash
. "$root/tools/lib/progress.bash"
# shellcheck source=lib/pod_logs.bash
. "$root/tools/lib/pod_logs.bash"
# shellcheck source=lib/cluster.bash
. "$root/tools/lib/cluster.bash"
# shellcheck source=lib/fail.bash
. "$root/tools/lib/fail.bash"

stop_services() {
  local name pid
  for name in controller initializer; do
    if [ -f "$state/$name.pid" ]; then
      pid="$(cat "$state/$name.pid")"
      if kill -0 "$pid" 2>/dev/null; then kill "$pid" && echo "stopped the $name (pid $pid)"; fi
      rm -f "$state/$name.pid"
    fi
  done
}

if [ "${1:-}" = stop ]; then
  stop_services
  if [ -f "$root/.local/cluster/kubeconfig" ]; then
    kubectl --kubeconfig "$root/.local/cluster/kubeconfig" delete mutatingwebhookconfiguration "$config" \
      --ignore-not-found >/dev/null 2>&1 || true
  fi
  echo "the local cluster is still up; stop it with: make cluster-down"
  exit 0
fi

build="$(cd "${1:-$root/build}" 2>/dev/null && pwd)" || fail "build dir ${1:-build} not found (run: make build)"
for bin in spark-operator-controller spark-operator-initializer; do
  [ -x "$build/bin/$bin" ] || fail "$build/bin/$bin is missing (run: make build)"
done
mkdir -p "$state"
chmod 700 "$state"
work="$state"  # initializer_lib.bash keeps its files in $work.
stop_services

step "local cluster: real kube-apiserver, etcd, controller-manager, scheduler and a kwok node (tools/cluster/up.sh)"
run_with_progress cluster "$state/up.log" \
  "the first run builds kube-apiserver, etcd and kwok from Go modules (about 15-30 min on 2 cores), later runs start in about 10 s" \
  "$root/tools/cluster/up.sh" || fail "tools/cluster/up.sh failed (see $state/up.log)"
init_load_cluster_env "$root/.local/cluster"
echo "API server $APISERVER_URL"

step "Apache Spark's spark-submit (tools/spark/fetch.sh: jars from Maven Central, installed once)"
run_with_progress spark "$state/spark-fetch.log" \
  "the first run downloads Spark's jars from Maven Central (about 1-3 min), later runs take a second" \
  "$root/tools/spark/fetch.sh" || fail "tools/spark/fetch.sh failed (see $state/spark-fetch.log)"
init_fetch_spark
echo "$submit"

step "the SparkApplication CRD (deploy/crd)"
kc apply --server-side --force-conflicts -k "$root/deploy/crd" >/dev/null || fail "the API server refused the CRD"
KUBECONFIG="$kubeconfig" cluster_wait_established 60 sparkapplications.spark-operator.k8s.io \
  || fail "the CRD did not become Established"
kc get crd sparkapplications.spark-operator.k8s.io

step "the initializer, on loopback, registered as a mutating webhook for Spark pods in namespace $ns"
kc delete mutatingwebhookconfiguration "$config" --ignore-not-found >/dev/null
init_start "$build/bin/spark-operator-initializer" "$config" "$ns" spark-operator-initializer-demo-certs
echo "$init_pid" >"$state/initializer.pid"
init_register_webhook "$config" "$ns" "$init_port"
echo "https://127.0.0.1:$init_port/mutate-pods (pid $init_pid, log $init_log)"

step "the controller"
rm -rf "$state/logs"
# Also the namespaces of deploy/examples/spark-tenants-example.yaml: with --namespaces, the controller manages the
# tenants of the listed namespaces only, and runs applications there only.
"$build/bin/spark-operator-controller" --kubeconfig="$kubeconfig" --spark-submit="$submit" --metrics-port=0 \
  --namespaces="$ns,team-a,team-b-spark" --log-destination="file://$state/logs" \
  >"$state/controller.log" 2>&1 &
echo $! >"$state/controller.pid"
sleep 1
kill -0 "$(cat "$state/controller.pid")" 2>/dev/null || fail "the controller exited at start (see $state/controller.log)"
echo "pid $(cat "$state/controller.pid"), log $state/controller.log"

step "kubectl create -f deploy/examples/spark-application-example.yaml"
kc -n "$ns" delete sparkapplication "$app" --ignore-not-found --wait=true >/dev/null
kc create -f "$root/deploy/examples/spark-application-example.yaml"

step "progress (the simulated driver runs for 5 seconds, then exits 0)"
last=""
driver_finished=""
deadline=$((SECONDS + 300))
while [ $SECONDS -lt $deadline ]; do
  state_now="$(kc -n "$ns" get sparkapplication "$app" -o jsonpath='{.status.applicationState.state}' 2>/dev/null || true)"
  if [ "$state_now" != "$last" ]; then
    printf '%s  %-18s %s\n' "$(date +%T)" "${state_now:-NEW}" \
      "$(kc -n "$ns" get sparkapplication "$app" -o jsonpath='{.status.driverInfo.podName} {.status.applicationState.errorMessage}' 2>/dev/null)"
    last="$state_now"
  fi
  case "$state_now" in
    COMPLETED) break ;;
    FAILED | SUBMISSION_FAILED) fail "the application ended $state_now" ;;
    RUNNING)
      if [ -z "$driver_finished" ]; then
        driver="$(kc -n "$ns" get sparkapplication "$app" -o jsonpath='{.status.driverInfo.podName}')"
        # What the simulated driver prints, served by the simulated node as `kubectl logs` shows it.
        printf 'INFO SparkContext: Running Spark version 4.2.0\nINFO DAGScheduler: Job 0 finished\nPi is roughly 3.1418\n' \
          >"$state/driver-output.txt"
        KUBECONFIG="$kubeconfig" set_pod_log "$ns" "$driver" spark-kubernetes-driver "$state/driver-output.txt" \
          || fail "could not give the simulated driver $driver its log"
        sleep 5
        kc -n "$ns" annotate pod "$driver" --overwrite sim.spark-operator.k8s.io/exit-code=0 >/dev/null \
          || fail "could not finish the simulated driver $driver"
        driver_finished=yes
      fi
      ;;
  esac
  sleep 0.5
done
[ "$last" = COMPLETED ] || fail "the application did not complete within 5 minutes (state: ${last:-none})"

step "logs shipped to file://$state/logs (--log-destination)"
deadline=$((SECONDS + 120))
until [ "$(kc -n "$ns" get sparkapplication "$app" -o jsonpath='{.status.logs.state}')" = SHIPPED ]; do
  [ $SECONDS -lt $deadline ] || fail "the logs were not shipped within 2 minutes: $(kc -n "$ns" get sparkapplication "$app" -o jsonpath='{.status.logs}')"
  sleep 0.5
done
(cd "$state/logs" && find . -type f | sort)
manifest="$(find "$state/logs" -name manifest.json | head -n 1)"
driver_log="$(find "$state/logs" -path "*driver*" -name '*.log' | head -n 1)"
echo "--- $driver_log"
cat "$driver_log"

step "kubectl get sparkapplications $app -o yaml"
kc -n "$ns" get sparkapplications "$app" -o yaml

cat <<EOF

== Done: $app COMPLETED.
Look around (the controller and the initializer are still running):
  export KUBECONFIG=$kubeconfig
  kubectl get sparkapplications
  kubectl describe sparkapplication $app       # the events of each transition
  kubectl get pods,services -l spark-operator.k8s.io/app-name=$app
  kubectl get pod <driver> -o yaml             # the labels and annotations the controller set
  kubectl logs <driver>                        # what the simulated node serves as its log
  cat $manifest   # the shipped run: pods, containers, bytes, SHA-256
  tail -f $state/controller.log
Try your own: edit a copy of deploy/examples/*.yaml and kubectl apply -f it; finish its simulated driver with
  kubectl annotate pod <driver> sim.spark-operator.k8s.io/exit-code=0   (or 1 to see a failure)
Stop: make demo-stop (controller and initializer), then make cluster-down (the cluster).
EOF
