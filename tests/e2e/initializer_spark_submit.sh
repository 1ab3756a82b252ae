#!/usr/bin/env bash
# End to end without the controller: the built spark-operator-initializer runs on loopback with a kubeconfig,
# the local cluster's API server calls it for Spark pods of one namespace, and a REAL spark-submit creates the
# driver. What the user sees: the stored driver pod has the ConfigMap volume, the mount at /etc/spark/conf and
# SPARK_CONF_DIR; a bad annotation makes spark-submit fail with the webhook's message.
# Needs: the local cluster (tools/cluster/up.sh), Java 17 and Maven for tools/spark/fetch.sh.
# Env (set by CTest): SO_BIN_DIR (the built binaries), SO_CLUSTER_DIR (default <checkout>/.local/cluster).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fail() { echo "initializer_spark_submit: FAIL: $*" >&2; exit 1; }
log() { echo "initializer_spark_submit: $*" >&2; }
# shellcheck source=initializer_lib.bash
. "$here/initializer_lib.bash"

bin="${SO_BIN_DIR:-$root/build/bin}/spark-operator-initializer"
work="$(mktemp -d)"
chmod 700 "$work"
suffix="$$-$(date +%s)"
ns="init-e2e-$suffix"
config="so-initializer-e2e-$suffix"
init_pid=""

cleanup() {
  local status=$?
  init_stop
  if [ -n "${kubeconfig:-}" ]; then
    # The webhook first: with failurePolicy Fail and its server gone it would refuse this namespace's pods.
    kc delete mutatingwebhookconfiguration "$config" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kc delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  if [ "$status" != 0 ] && [ -f "$work/initializer.log" ]; then
    echo "--- initializer log (tail)" >&2
    tail -n 30 "$work/initializer.log" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT

init_load_cluster_env "${SO_CLUSTER_DIR:-$root/.local/cluster}"
init_fetch_spark
init_create_namespace "$ns"
kc -n "$ns" create configmap spark-conf --from-literal=spark-defaults.conf='spark.ui.enabled false' >/dev/null
init_start "$bin" "$config" "$ns" initializer-certs
log "initializer on https://127.0.0.1:$init_port (pid $init_pid)"
# What the Deployment's probes ask for.
[ "$(curl -fsS "http://127.0.0.1:$init_metrics_port/healthz")" = ok ] \
  || fail "GET /healthz on the metrics port $init_metrics_port did not answer ok"
init_register_webhook "$config" "$ns" "$init_port"
[ -n "$(kc -n "$ns" get secret initializer-certs -o jsonpath='{.data.ca\.crt}')" ] \
  || fail "the initializer did not store its CA in Secret $ns/initializer-certs"

# 1. Annotations on the driver and the executors, as a SparkApplication's spec.sparkConfigMap becomes them.
pod=init-e2e-driver
log "spark-submit with spark-operator.k8s.io/sparkConfigMap=spark-conf"
init_spark_submit "$ns" "$pod" \
  --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf \
  --conf spark.kubernetes.executor.annotation.spark-operator.k8s.io/sparkConfigMap=spark-conf \
  || { tail -n 30 "$work/$pod.submit.log" >&2; fail "spark-submit failed"; }
kc -n "$ns" get pod "$pod" >/dev/null 2>&1 || fail "driver pod $ns/$pod was not created"
driver='{.spec.containers[?(@.name=="spark-kubernetes-driver")]}'
volume="$(kc -n "$ns" get pod "$pod" -o jsonpath='{.spec.volumes[?(@.name=="spark-configmap-volume")].configMap.name}')"
[ "$volume" = spark-conf ] || fail "stored driver pod has no volume spark-configmap-volume from ConfigMap spark-conf (got '$volume')"
mount="$(kc -n "$ns" get pod "$pod" -o jsonpath="${driver%\}}.volumeMounts[?(@.name==\"spark-configmap-volume\")].mountPath}")"
[ "$mount" = /etc/spark/conf ] || fail "driver container does not mount spark-configmap-volume at /etc/spark/conf (got '$mount')"
conf_dirs="$(kc -n "$ns" get pod "$pod" -o jsonpath="${driver%\}}.env[?(@.name==\"SPARK_CONF_DIR\")].value}")"
case " $conf_dirs " in
  *" /etc/spark/conf "*) ;;
  *) fail "driver container has no SPARK_CONF_DIR=/etc/spark/conf (SPARK_CONF_DIR values: '$conf_dirs')" ;;
esac
log "stored driver pod: volume spark-configmap-volume -> ConfigMap spark-conf at $mount, SPARK_CONF_DIR=$conf_dirs"

# 2. A relative mount path: the pod is refused, and spark-submit says why.
bad=init-e2e-bad-driver
log "spark-submit with a relative mount path"
if init_spark_submit "$ns" "$bad" --conf spark.kubernetes.driver.annotation.spark-operator.k8s.io/configMap.my-conf=conf; then
  fail "spark-submit succeeded although the annotation asks for a relative mount path"
fi
grep -q 'spark-operator.k8s.io/configMap.my-conf: mount path \\\?"conf\\\?" must be absolute' "$work/$bad.submit.log" \
  || { tail -n 30 "$work/$bad.submit.log" >&2; fail "spark-submit's output does not carry the webhook's message"; }
! kc -n "$ns" get pod "$bad" >/dev/null 2>&1 || fail "the refused driver pod $ns/$bad exists"
log "PASS"
