# Shared by tests/e2e/initializer_spark_submit.sh and tools/demo-initializer.sh (sourced, not run: the .bash
# suffix keeps CTest's tests/e2e/*.sh glob from making it a test of its own). Runs the initializer binary
# alone, registers it with the local cluster through a URL webhook, and submits real Spark applications.
# The caller defines fail() and log(), and sets `root` (the checkout) and `work` (a private temp folder).

# The local cluster's env file: APISERVER_URL, APISERVER_CA, APISERVER_TOKEN, KUBECONFIG.
init_load_cluster_env() { # <cluster dir>
  local dir="$1"
  [ -f "$dir/env" ] || fail "no cluster env file $dir/env (start the local cluster: tools/cluster/up.sh)"
  set -a
  # shellcheck disable=SC1091
  . "$dir/env"
  set +a
  kubeconfig="$dir/kubeconfig"
  kc get --raw /readyz --request-timeout=10s >/dev/null 2>&1 \
    || fail "kube-apiserver not ready (kubectl --kubeconfig $kubeconfig get --raw /readyz)"
}

kc() { kubectl --kubeconfig "$kubeconfig" "$@"; }

# Starts the binary on free loopback ports (it picks them: --port=0) and sets init_pid, init_port and
# init_metrics_port.
# The serving certificate and its CA go to the Secret <secret> in <namespace>; the CA is published to the
# MutatingWebhookConfiguration <config>, retried every second until that exists. Further arguments are extra flags.
init_start() { # <binary> <config> <namespace> <secret> [flag]...
  local bin="$1" config="$2" ns="$3" secret="$4" i
  shift 4
  [ -x "$bin" ] || fail "initializer binary $bin not found (build the target spark-operator-initializer)"
  init_log="$work/initializer.log"
  "$bin" --address=127.0.0.1 --port=0 --metrics-port=0 --kubeconfig="$kubeconfig" --extra-san=127.0.0.1 \
    --cert-dir="$work/certs" --webhook-config-name="$config" --service-namespace="$ns" \
    --cert-secret-name="$secret" --ca-publish-retry-seconds=1 "$@" >"$init_log" 2>&1 &
  init_pid=$!
  for i in $(seq 1 300); do
    init_port="$(sed -n 's#.*serving /mutate-pods on https://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$init_log" | head -n1)"
    init_metrics_port="$(sed -n 's#.*metrics on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$init_log" | head -n1)"
    [ -n "$init_port" ] && return 0
    kill -0 "$init_pid" 2>/dev/null || { cat "$init_log" >&2; fail "the initializer exited at start"; }
    sleep 0.1
  done
  cat "$init_log" >&2
  fail "the initializer did not start listening within 30 s"
}

init_stop() {
  if [ -n "${init_pid:-}" ] && kill -0 "$init_pid" 2>/dev/null; then
    kill "$init_pid" 2>/dev/null || true
    wait "$init_pid" 2>/dev/null || true
  fi
  init_pid=""
}

# Registers the webhook for Spark pods of <namespace> only, without caBundle: the initializer writes it.
# Then waits until the CA is published and the API server calls the webhook (a server-side dry run of a pod
# with a bad annotation is refused with our message).
init_register_webhook() { # <config> <namespace> <port>
  local config="$1" ns="$2" port="$3" i out
  kc apply -f - >/dev/null <<YAML || fail "could not create MutatingWebhookConfiguration $config"
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: $config
webhooks:
  - name: pods.initializer.spark-operator.k8s.io
    clientConfig:
      url: https://127.0.0.1:$port/mutate-pods
    rules:
      - {apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"], scope: Namespaced}
    objectSelector:
      matchExpressions: [{key: spark-role, operator: Exists}]
    namespaceSelector:
      matchLabels: {kubernetes.io/metadata.name: $ns}
    failurePolicy: Fail
    timeoutSeconds: 5
    sideEffects: None
    admissionReviewVersions: ["v1"]
    reinvocationPolicy: Never
YAML
  for i in $(seq 1 300); do
    [ -n "$(kc get mutatingwebhookconfiguration "$config" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ] && break
    sleep 0.2
  done
  [ -n "$(kc get mutatingwebhookconfiguration "$config" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')" ] \
    || { tail -n 20 "$init_log" >&2; fail "the initializer did not publish its CA to $config within 60 s"; }
  for i in $(seq 1 150); do
    out="$(kc -n "$ns" run "probe-$i" --image=busybox --restart=Never --labels=spark-role=driver \
      --annotations=spark-operator.k8s.io/secret.s=relative --dry-run=server -o name 2>&1 || true)"
    case "$out" in *"must be absolute"*) return 0 ;; esac
    sleep 0.2
  done
  fail "the API server does not call the webhook (last answer: $out)"
}

# The spark-submit of tools/spark/ (installed by fetch.sh, idempotent); sets `submit`.
init_fetch_spark() {
  local line
  line="$("$root/tools/spark/fetch.sh")" || fail "tools/spark/fetch.sh failed"
  submit="${line#SPARK_HOME=}/bin/spark-submit"
  [ -x "$submit" ] || fail "$submit missing after tools/spark/fetch.sh"
  spark_version="$(sed -n 's/^[[:space:]]*SPARK_VERSION=["'\'']\{0,1\}\([^"'\''#[:space:]]*\).*/\1/p' \
    "$root/tools/versions.env" | tail -n1)"
}

# SparkPi in cluster mode without waiting for it; the driver pod is <namespace>/<pod>; any further
# arguments are extra --conf pairs. Token auth as flags only, with KUBECONFIG=/dev/null (tools/spark/README.md).
# Output goes to $work/<pod>.submit.log; returns spark-submit's exit code.
init_spark_submit() { # <namespace> <pod> [--conf k=v]...
  local ns="$1" pod="$2"
  shift 2
  printf '%s' "$APISERVER_TOKEN" >"$work/token"
  KUBECONFIG=/dev/null "$submit" \
    --master "k8s://$APISERVER_URL" --deploy-mode cluster --name "$pod" \
    --class org.apache.spark.examples.SparkPi \
    --conf spark.kubernetes.namespace="$ns" \
    --conf spark.kubernetes.container.image="apache/spark:${spark_version:-4.2.0}" \
    --conf spark.kubernetes.submission.waitAppCompletion=false \
    --conf spark.kubernetes.driver.pod.name="$pod" \
    --conf spark.kubernetes.authenticate.submission.caCertFile="$APISERVER_CA" \
    --conf spark.kubernetes.authenticate.submission.oauthTokenFile="$work/token" \
    "$@" \
    local:///opt/spark/examples/jars/spark-examples.jar >"$work/$pod.submit.log" 2>&1
}

# The namespace for the run, with its default service account (pods are refused until it exists).
init_create_namespace() { # <namespace>
  local ns="$1" i
  kc create namespace "$ns" >/dev/null 2>&1 || kc get namespace "$ns" >/dev/null || fail "could not create namespace $ns"
  for i in $(seq 1 100); do
    kc -n "$ns" get serviceaccount default >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "namespace $ns has no default service account after 20 s"
}
