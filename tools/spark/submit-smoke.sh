#!/usr/bin/env bash
# Smoke test: real `spark-submit --deploy-mode cluster` submissions to the local
# kube-apiserver from tools/cluster/, checking that each driver pod exists, then
# deleting everything the submissions created.
#
#   tools/spark/submit-smoke.sh [ENV_FILE]     (default: <repo>/.local/cluster/env)
#
# The env file (written by tools/cluster/up.sh) is sourced.  Server and
# credentials come from its APISERVER_URL, APISERVER_CA, APISERVER_TOKEN,
# ADMIN_CLIENT_CERT, ADMIN_CLIENT_KEY; any that are missing are read from the
# kubeconfig ($KUBECONFIG from the env file, else `kubeconfig` next to it).
# They are passed to Spark only as spark.kubernetes.authenticate.submission.*
# flags, with KUBECONFIG=/dev/null so Spark's fabric8 client picks up nothing
# from a kubeconfig.
#   SPARK_SMOKE_AUTH       auth modes to test, in order (default: "cert token")
#   SPARK_SMOKE_NAMESPACE  namespace (default: default)
#   SPARK_SMOKE_KEEP=1     keep the created pods/services/configmaps/networkpolicies
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
fail() { echo "submit-smoke: FAIL: $*" >&2; exit 1; }
log() { echo "submit-smoke: $*" >&2; }

env_file="${1:-$root/.local/cluster/env}"
[ -f "$env_file" ] || fail "cluster env file $env_file not found (start the local cluster: tools/cluster/up.sh)"
env_dir="$(cd "$(dirname "$env_file")" && pwd)"
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
kubeconfig="${KUBECONFIG:-$env_dir/kubeconfig}"
[ -f "$kubeconfig" ] || fail "kubeconfig $kubeconfig not found"
ns="${SPARK_SMOKE_NAMESPACE:-default}"
modes="${SPARK_SMOKE_AUTH:-cert token}"
command -v kubectl >/dev/null || fail "kubectl not on PATH"
kc() { kubectl --kubeconfig "$kubeconfig" "$@"; }
kc get --raw /readyz --request-timeout=10s >/dev/null 2>&1 \
  || fail "kube-apiserver not ready (kubectl --kubeconfig $kubeconfig get --raw /readyz)"

# Spark install (same version rule as fetch.sh).
SPARK_VERSION="${SPARK_VERSION_OVERRIDE:-$(sed -n 's/^[[:space:]]*SPARK_VERSION=["'\'']\{0,1\}\([^"'\''#[:space:]]*\).*/\1/p' "$root/tools/versions.env" | tail -n1)}"
[ -n "$SPARK_VERSION" ] || fail "SPARK_VERSION not set in tools/versions.env"
line="$(SPARK_VERSION="$SPARK_VERSION" "$here/fetch.sh")" || fail "tools/spark/fetch.sh failed"
submit="${line#SPARK_HOME=}/bin/spark-submit"
[ -x "$submit" ] || fail "$submit missing"

work="$(mktemp -d)"; chmod 700 "$work"
pods=()
cleanup() {
  if [ "${SPARK_SMOKE_KEEP:-0}" != 1 ]; then
    local pod uid
    for pod in "${pods[@]}"; do
      # Spark 4.2 also creates a driver Service, a conf ConfigMap and a
      # NetworkPolicy, ownerReferenced to the driver pod.  Delete them
      # explicitly instead of relying on the garbage collector.
      uid="$(kc -n "$ns" get pod "$pod" -o jsonpath='{.metadata.uid}' 2>/dev/null || true)"
      if [ -n "$uid" ]; then
        kc -n "$ns" get configmaps,services,networkpolicies.networking.k8s.io --no-headers \
            -o 'custom-columns=K:.kind,N:.metadata.name,O:.metadata.ownerReferences[*].uid' 2>/dev/null \
          | awk -v u="$uid" 'index($3, u) {print tolower($1) "/" $2}' \
          | xargs -r kubectl --kubeconfig "$kubeconfig" -n "$ns" delete --ignore-not-found --wait=false >/dev/null 2>&1 || true
      fi
      kc -n "$ns" delete pod "$pod" --ignore-not-found --wait=false --grace-period=0 --force >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- server and credentials
kv() { kc config view --raw --minify --flatten -o jsonpath="$1" 2>/dev/null || true; }
from_kc() { # <jsonpath of base64 data> <out file>: writes file, prints its path
  local d; d="$(kv "$1")"; [ -n "$d" ] || return 0
  base64 -d <<<"$d" > "$2"; echo "$2"
}
server="${APISERVER_URL:-$(kv '{.clusters[0].cluster.server}')}"
[ -n "$server" ] || fail "no API server URL (APISERVER_URL or kubeconfig server)"
ca="${APISERVER_CA:-$(from_kc '{.clusters[0].cluster.certificate-authority-data}' "$work/ca.crt")}"
cert="${ADMIN_CLIENT_CERT:-$(from_kc '{.users[0].user.client-certificate-data}' "$work/client.crt")}"
key="${ADMIN_CLIENT_KEY:-$(from_kc '{.users[0].user.client-key-data}' "$work/client.key")}"
token="${APISERVER_TOKEN:-$(kv '{.users[0].user.token}')}"
if [ -z "$token" ] && [ -n "${KUBECONFIG_TOKEN:-}" ] && [ -f "$KUBECONFIG_TOKEN" ]; then
  token="$(kubectl --kubeconfig "$KUBECONFIG_TOKEN" config view --raw --minify -o jsonpath='{.users[0].user.token}')"
fi
tls=()
if [ -n "$ca" ]; then
  tls=(--conf "spark.kubernetes.authenticate.submission.caCertFile=$ca")
else
  log "no CA certificate: trusting the server certificate blindly"
  tls=(--conf spark.kubernetes.trust.certificates=true)
fi

# ---- one submission
submit_one() { # <mode>
  local mode="$1" name pod auth=() envs=(KUBECONFIG=/dev/null) t0 t1 secs role image
  case "$mode" in
    cert)
      { [ -n "$cert" ] && [ -n "$key" ]; } || fail "auth mode cert: no client certificate/key"
      auth=(--conf "spark.kubernetes.authenticate.submission.clientCertFile=$cert"
            --conf "spark.kubernetes.authenticate.submission.clientKeyFile=$key")
      # fabric8 parses an explicit clientKeyFile as RSA unless told otherwise.
      if grep -q 'BEGIN EC PRIVATE KEY' "$key" 2>/dev/null \
         || openssl pkey -in "$key" -noout -text 2>/dev/null | grep -q 'ASN1 OID'; then
        envs+=(KUBERNETES_CERTS_CLIENT_KEY_ALGO=EC)
      fi ;;
    token)
      [ -n "$token" ] || fail "auth mode token: no token (APISERVER_TOKEN)"
      printf '%s' "$token" > "$work/token"
      auth=(--conf "spark.kubernetes.authenticate.submission.oauthTokenFile=$work/token") ;;
    *) fail "unknown auth mode '$mode' (SPARK_SMOKE_AUTH: cert, token)" ;;
  esac
  name="pi-smoke-$mode-$(date +%s)"
  pod="$name-driver"
  pods+=("$pod")
  log "[$mode] submitting $name to k8s://$server (Spark $SPARK_VERSION, namespace $ns)"
  t0=$(date +%s.%N)
  if ! env "${envs[@]}" "$submit" \
      --master "k8s://$server" \
      --deploy-mode cluster \
      --name "$name" \
      --class org.apache.spark.examples.SparkPi \
      --conf "spark.kubernetes.namespace=$ns" \
      --conf "spark.kubernetes.container.image=apache/spark:$SPARK_VERSION" \
      --conf spark.kubernetes.submission.waitAppCompletion=false \
      --conf "spark.kubernetes.driver.pod.name=$pod" \
      "${tls[@]}" "${auth[@]}" \
      local:///opt/spark/examples/jars/spark-examples.jar 100 > "$work/submit-$mode.log" 2>&1; then
    grep -vE '^[[:space:]]+at ' "$work/submit-$mode.log" | tail -n 25 >&2
    fail "[$mode] spark-submit exited non-zero"
  fi
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  kc -n "$ns" get pod "$pod" >/dev/null 2>&1 \
    || { tail -n 25 "$work/submit-$mode.log" >&2; fail "[$mode] driver pod $ns/$pod not found after submit"; }
  role="$(kc -n "$ns" get pod "$pod" -o jsonpath='{.metadata.labels.spark-role}')"
  image="$(kc -n "$ns" get pod "$pod" -o jsonpath='{.spec.containers[0].image}')"
  [ "$role" = driver ] || fail "[$mode] pod $pod has spark-role=$role, want driver"
  [ "$image" = "apache/spark:$SPARK_VERSION" ] || fail "[$mode] driver image $image, want apache/spark:$SPARK_VERSION"
  log "[$mode] driver pod $ns/$pod created, spark-submit took ${secs}s"
  results+=("$mode=${secs}s")
}

results=()
for m in $modes; do submit_one "$m"; done
echo "submit-smoke: PASS (${results[*]})"
