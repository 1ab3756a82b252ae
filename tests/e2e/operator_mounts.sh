#!/usr/bin/env bash
# The whole operator as a user runs it: the controller and the initializer binaries against the local cluster,
# an app that asks for its Spark ConfigMap and another ConfigMap; the driver pod must come out with both mounted
# (by the webhook) and the app must complete.
# Env: SO_BIN_DIR (the binaries, or tests/images/bin for the images), SO_CONTROLLER_FLAGS (extra flags,
# space-separated: tests/images/ runs this with --submitter=spark-submit too), SO_EXPECT_LOG (a part the
# controller's log must have, e.g. "spark-submit attempt 1 finished: exit code 0").
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${SO_BIN_DIR:-$root/build/bin}"
log() { echo "operator_mounts: $*" >&2; }
fail() { fail_with_logs operator_mounts "$work" 20 "$@"; }
# shellcheck source=initializer_lib.bash
. "$root/tests/e2e/initializer_lib.bash"
# shellcheck source=../../tools/lib/cluster.bash
. "$root/tools/lib/cluster.bash"
# shellcheck source=../../tools/lib/fail.bash
. "$root/tools/lib/fail.bash"

work="$(mktemp -d)"
chmod 700 "$work"
ns="e2e-mounts-$$"
config="spark-operator-initializer-$ns"
init_pid=""
controller_pid=""
cleanup() {
  init_stop
  if [ -n "$controller_pid" ]; then kill "$controller_pid" 2>/dev/null || true; wait "$controller_pid" 2>/dev/null || true; fi
  if [ -n "${kubeconfig:-}" ]; then
    kc delete mutatingwebhookconfiguration "$config" --ignore-not-found --wait=false >/dev/null 2>&1 || true
    kc delete namespace "$ns" --ignore-not-found --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

init_load_cluster_env "${SO_CLUSTER_DIR:-$root/.local/cluster}"
init_fetch_spark
kc apply --server-side --force-conflicts -k "$root/deploy/crd" >/dev/null || fail "the API server refused the CRD"
KUBECONFIG="$kubeconfig" cluster_wait_established 60 sparkapplications.spark-operator.k8s.io \
  || fail "the SparkApplication CRD was not Established within 60 s"
init_create_namespace "$ns"
kc -n "$ns" create configmap spark-conf --from-literal=spark-defaults.conf='spark.ui.enabled false' >/dev/null
kc -n "$ns" create configmap extra-conf --from-literal=settings=1 >/dev/null

init_start "$bin/spark-operator-initializer" "$config" "$ns" "initializer-certs"
init_register_webhook "$config" "$ns" "$init_port"
read -r -a controller_flags <<<"${SO_CONTROLLER_FLAGS:-}"
"$bin/spark-operator-controller" --kubeconfig="$kubeconfig" --spark-submit="$submit" --metrics-port=0 \
  --namespaces="$ns" "${controller_flags[@]}" >"$work/controller.log" 2>&1 &
controller_pid=$!

kc apply -f - >/dev/null <<YAML || fail "could not create the SparkApplication"
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata: {name: mounts, namespace: $ns}
spec:
  type: Scala
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  image: apache/spark:${spark_version:-4.2.0}
  sparkConfigMap: spark-conf
  driver:
    memory: 512m
    configMaps: [{name: extra-conf, path: /etc/extra}]
  executor: {instances: 1, memory: 512m}
YAML

state() { kc -n "$ns" get sparkapplication mounts -o jsonpath='{.status.applicationState.state}' 2>/dev/null || true; }
for _ in $(seq 1 240); do
  s="$(state)"
  [ "$s" = RUNNING ] && break
  case "$s" in FAILED | SUBMISSION_FAILED)
    fail "the app ended $s: $(kc -n "$ns" get sparkapplication mounts -o jsonpath='{.status.applicationState.errorMessage}')" ;;
  esac
  sleep 0.5
done
[ "$(state)" = RUNNING ] || fail "the app did not reach RUNNING within 120 s (state: $(state))"

driver="$(kc -n "$ns" get sparkapplication mounts -o jsonpath='{.status.driverInfo.podName}')"
mounts="$(kc -n "$ns" get pod "$driver" -o jsonpath='{range .spec.containers[?(@.name=="spark-kubernetes-driver")].volumeMounts[*]}{.mountPath}{" "}{end}')"
env="$(kc -n "$ns" get pod "$driver" -o jsonpath='{range .spec.containers[?(@.name=="spark-kubernetes-driver")].env[*]}{.name}={.value}{" "}{end}')"
case " $mounts " in *" /etc/spark/conf "*) ;; *) fail "driver $driver has no mount at /etc/spark/conf (mounts: $mounts)" ;; esac
case " $mounts " in *" /etc/extra "*) ;; *) fail "driver $driver has no mount at /etc/extra (mounts: $mounts)" ;; esac
case " $env " in *" SPARK_CONF_DIR=/etc/spark/conf "*) ;; *) fail "driver $driver lacks SPARK_CONF_DIR=/etc/spark/conf (env: $env)" ;; esac

kc -n "$ns" annotate pod "$driver" sim.spark-operator.k8s.io/exit-code=0 >/dev/null
for _ in $(seq 1 120); do [ "$(state)" = COMPLETED ] && break; sleep 0.5; done
[ "$(state)" = COMPLETED ] || fail "the app did not complete after its driver exited 0 (state: $(state))"
if [ -n "${SO_EXPECT_LOG:-}" ]; then
  grep -qF -- "$SO_EXPECT_LOG" "$work/controller.log" || fail "the controller's log has no '$SO_EXPECT_LOG'"
fi
echo "operator_mounts: PASS ($driver mounted /etc/spark/conf and /etc/extra, app COMPLETED)"
