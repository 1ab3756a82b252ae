#!/usr/bin/env bash
# Demo of the initializer alone (no controller): starts the local cluster and the initializer, registers the
# webhook, submits SparkPi with a REAL spark-submit whose driver and executors carry
# spark-operator.k8s.io/* annotations, and prints what the API server stored for the driver pod.
#   tools/demo-initializer.sh [build dir]        (`make demo-initializer` passes its build dir)
# Idempotent: everything it creates is named per run and removed at the end, except the cluster, which is
# left running (stop it with `make cluster-down`).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" 2>/dev/null && pwd)" || { echo "demo-initializer: FAIL: build dir ${1:-build} not found (make build)" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
log() { echo "demo-initializer: $*" >&2; }
fail() { echo "demo-initializer: FAIL: $*" >&2; exit 1; }
# shellcheck source=../tests/e2e/initializer_lib.bash
. "$root/tests/e2e/initializer_lib.bash"

work="$(mktemp -d)"
chmod 700 "$work"
suffix="$(date +%s)"
ns="initializer-demo"
config="spark-operator-initializer-demo"
init_pid=""

cleanup() {
  init_stop
  if [ -n "${kubeconfig:-}" ]; then
    kc delete mutatingwebhookconfiguration "$config" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "local cluster (tools/cluster/up.sh; a no-op when it is up)"
"$root/tools/cluster/up.sh" >"$work/up.log" 2>&1 || { tail -n 20 "$work/up.log" >&2; fail "tools/cluster/up.sh failed"; }
init_load_cluster_env "$root/.local/cluster"
echo "API server $APISERVER_URL"

step "spark-submit (tools/spark/fetch.sh; installed once)"
init_fetch_spark
echo "$submit"

step "namespace $ns and the ConfigMap spark-conf"
# A leftover configuration of an interrupted run would point at a dead port and refuse the demo's pods.
kc delete mutatingwebhookconfiguration "$config" --ignore-not-found >/dev/null
init_create_namespace "$ns"
kc -n "$ns" create configmap spark-conf --from-literal=spark-defaults.conf='spark.ui.enabled false' \
  --dry-run=client -o yaml | kc apply -f - >/dev/null
kc -n "$ns" get configmap spark-conf

step "the initializer ($build/bin/spark-operator-initializer), alone on loopback"
init_start "$build/bin/spark-operator-initializer" "$config" "$ns" spark-operator-initializer-certs
echo "https://127.0.0.1:$init_port/mutate-pods (pid $init_pid, log $init_log)"

step "MutatingWebhookConfiguration $config (Spark pods in $ns only; the initializer publishes its CA)"
init_register_webhook "$config" "$ns" "$init_port"
kc get mutatingwebhookconfiguration "$config" \
  -o jsonpath='{.webhooks[0].clientConfig.url}{"  caBundle: "}{.webhooks[0].clientConfig.caBundle}' | cut -c1-110
echo "..."

pod="spark-pi-$suffix-driver"
step "spark-submit --deploy-mode cluster, driver pod $ns/$pod"
echo "  --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf"
echo "  --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/secret.spark-creds=/mnt/creds"
echo "  --conf spark.kubernetes.executor.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf"
init_spark_submit "$ns" "$pod" \
  --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf \
  --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/secret.spark-creds=/mnt/creds \
  --conf spark.kubernetes.executor.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf \
  || { tail -n 30 "$work/$pod.submit.log" >&2; fail "spark-submit failed (log above)"; }
grep -i 'warning' "$work/$pod.submit.log" | grep 'spark-operator.k8s.io' || true

step "what the API server stored for the driver pod"
kc -n "$ns" get pod "$pod" -o jsonpath='{range .spec.volumes[*]}volume {.name}: {.configMap.name}{.secret.secretName}{"\n"}{end}'
kc -n "$ns" get pod "$pod" -o jsonpath='{range .spec.containers[?(@.name=="spark-kubernetes-driver")].volumeMounts[*]}mount  {.name} -> {.mountPath} readOnly={.readOnly}{"\n"}{end}'
kc -n "$ns" get pod "$pod" -o jsonpath='{range .spec.containers[?(@.name=="spark-kubernetes-driver")].env[*]}env    {.name}={.value}{"\n"}{end}' \
  | grep -E '^env    (SPARK_CONF_DIR|HADOOP_CONF_DIR|GOOGLE_APPLICATION_CREDENTIALS)=' || true

step "a relative mount path is refused"
if init_spark_submit "$ns" "$pod-bad" \
    --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/configMap.my-conf=conf; then
  fail "spark-submit succeeded although the annotation asks for a relative mount path"
fi
grep -o 'admission webhook[^]]*must be absolute' "$work/$pod-bad.submit.log" | head -n1 \
  || { tail -n 20 "$work/$pod-bad.submit.log" >&2; fail "spark-submit failed, but not with the webhook's message"; }

step "done"
echo "The initializer is stopped and $config removed when this script exits; namespace $ns stays for a look:"
echo "  kubectl --kubeconfig $kubeconfig -n $ns get pods"
echo "The cluster keeps running; stop it with: make cluster-down"
