#!/usr/bin/env bash
# The manifests in deploy/: every entry point builds with `kubectl kustomize` and the API server of the local
# cluster (tools/cluster/up.sh) accepts every object it holds (server-side dry run, which runs validation,
# admission and Pod Security); the spark-job-rbac component works in a job namespace; every example in
# deploy/examples is accepted against the CRD. When the service binaries are built, the flags the Deployments
# pass must be flags the binaries know (an unknown flag makes a gflags binary exit, i.e. a crash loop).
#
# Real changes to the cluster: the CRD is applied (the examples need it) and stays; namespaces the dry runs need
# are created and deleted again, as is a uniquely named copy of deploy/rbac used to check that the controller
# may create the spark-job-rbac objects (tenant preparation). Exits non-zero with one "FAIL:" line per problem.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="${SO_CLUSTER_DIR:-$ROOT/.local/cluster}"
BIN_DIR="${SO_BIN_DIR:-$ROOT/build/bin}"
export KUBECONFIG="$CLUSTER_DIR/kubeconfig"
# shellcheck source=../../tools/lib/cluster.bash
. "$ROOT/tools/lib/cluster.bash"
K=(kubectl --request-timeout=30s)
ENTRY_POINTS=(default controller-only initializer-only default-native)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "--- $*"; }
indent() { sed 's/^/    /'; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/deploy-test.XXXXXX")"
created_namespaces=()
rbac_applied=""
cleanup() {
  local ns
  if [[ -n "$rbac_applied" ]]; then "${K[@]}" delete -f "$rbac_applied" --ignore-not-found >/dev/null 2>&1 || true; fi
  for ns in "${created_namespaces[@]}"; do
    "${K[@]}" delete namespace "$ns" --ignore-not-found --wait=true --timeout=60s >/dev/null 2>&1 ||
      echo "deploy_test: warning: could not delete namespace $ns" >&2
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---------------------------------------------------------------- preconditions
command -v kubectl >/dev/null || { echo "FAIL: kubectl not found" >&2; exit 1; }
[[ -f "$KUBECONFIG" ]] || { echo "FAIL: $KUBECONFIG missing - start the local cluster with tools/cluster/up.sh" >&2; exit 1; }
"${K[@]}" get --raw /readyz >/dev/null 2>&1 ||
  { echo "FAIL: the API server of $KUBECONFIG is not ready - start it with tools/cluster/up.sh" >&2; exit 1; }

# Waits until a namespace left Terminating by an earlier run is gone.
wait_not_terminating() {
  local ns="$1" deadline=$(($(date +%s) + 90))
  while [[ "$("${K[@]}" get namespace "$ns" -o jsonpath='{.status.phase}' 2>/dev/null)" == Terminating ]]; do
    (($(date +%s) < deadline)) || return 1
    sleep 1
  done
}

# ensure_namespace <file with one Namespace>: creates it for real unless it exists; remembers it for cleanup.
ensure_namespace() {
  local file="$1" ns
  ns="$("${K[@]}" create --dry-run=client -f "$file" -o jsonpath='{.metadata.name}' 2>&1)" ||
    { fail "cannot read the Namespace in $file: $ns"; return 1; }
  wait_not_terminating "$ns" || { fail "namespace $ns is stuck in Terminating"; return 1; }
  if "${K[@]}" get namespace "$ns" >/dev/null 2>&1; then return 0; fi
  local out
  out="$("${K[@]}" create --save-config -f "$file" 2>&1)" || { fail "creating namespace $ns: $out"; return 1; }
  created_namespaces+=("$ns")
}

# Writes each `kind: Namespace` document of a kustomize build ($1) to $2.<n>.yaml; prints the count.
split_namespaces() {
  awk -v prefix="$2" '
    function flush() { if (doc ~ /(^|\n)kind: Namespace\n/) { f = prefix "." n++ ".yaml"; printf "%s", doc > f; close(f) } doc = "" }
    /^---$/ { flush(); next }
    { doc = doc $0 "\n" }
    END { flush(); print n + 0 }' "$1"
}

# server_dry_run <label> <file> [<report>]: the API server must accept every object, without warnings (Pod
# Security, deprecated APIs, unknown fields). kubectl's lines ("<kind>/<name> created (server dry run)") go to
# <report> when given.
server_dry_run() {
  local label="$1" file="$2" report="${3:-/dev/null}" out rc
  out="$("${K[@]}" apply --server-side --force-conflicts --dry-run=server -f "$file" 2>&1)"
  rc=$?
  if ((rc != 0)); then
    fail "$label: the API server rejected it (kubectl apply --server-side --dry-run=server, exit $rc):"
    indent <<<"$out" >&2
    return 1
  fi
  # An object another test created in the shared cluster without kubectl apply draws a warning about its missing
  # last-applied annotation, and one created with `kubectl create --save-config` one about migrating that
  # annotation to server-side apply: both are about the cluster's history, not about the manifests.
  local warnings
  warnings="$(grep -i '^warning:' <<<"$out" | grep -v 'missing the kubectl.kubernetes.io/last-applied-configuration annotation' |
    grep -v 'failed to migrate kubectl.kubernetes.io/last-applied-configuration for Server-Side Apply')"
  if [[ -n "$warnings" ]]; then
    fail "$label: accepted with warnings:"
    indent <<<"$warnings" >&2
    return 1
  fi
  indent <<<"$out"
  printf '%s\n' "$out" >"$report"
}

# expect_objects <label> <file.applied> <kind/name>...: the dry run reported each object.
expect_objects() {
  local label="$1" applied="$2" want
  shift 2
  for want in "$@"; do
    grep -q "^$want " "$applied" || fail "$label: expected $want in the build, missing"
  done
}

# ---------------------------------------------------------------- CRD (for real)
step "CRD: kubectl apply --server-side -k deploy/crd"
if out="$("${K[@]}" apply --server-side --force-conflicts -k "$ROOT/deploy/crd" 2>&1)"; then
  indent <<<"$out"
  cluster_wait_established 60 sparkapplications.spark-operator.k8s.io scheduledsparkapplications.spark-operator.k8s.io ||
    fail "the SparkApplication and ScheduledSparkApplication CRDs did not become Established within 60 s"
else
  fail "applying deploy/crd: $out"
fi
# kubectl explain reads the published schema, which can lag the CRD by a moment. Inside a core object the CRD
# carries the first sentence of Kubernetes' description on every field (tools/crdgen/kube_schema.cc).
explain_path=sparkapplication.spec.driver.podTemplate.spec.containers
explain_expected=(
  "$explain_path|List of containers belonging to the pod"
  "$explain_path.image|Container image name"
  "$explain_path.livenessProbe.httpGet.port|Name or number of the port to access on the container"
)
explain_all() {
  local pair
  for pair in "${explain_expected[@]}"; do
    explain_failed="${pair%%|*}"
    explained="$("${K[@]}" explain "$explain_failed" 2>&1)" && grep -qF "${pair#*|}" <<<"$explained" || return 1
  done
}
for _ in $(seq 30); do
  explain_all && break
  sleep 1
done
explain_all || fail "kubectl explain $explain_failed does not show Kubernetes' description: $(head -n 20 <<<"$explained")"

# ---------------------------------------------------------------- entry points
for entry in "${ENTRY_POINTS[@]}"; do
  step "entry point deploy/$entry"
  build="$TMP/$entry.yaml"
  if ! out="$(kubectl kustomize "$ROOT/deploy/$entry" 2>&1 >"$build")"; then
    fail "deploy/$entry: kubectl kustomize failed: $out"
    continue
  fi
  count="$(split_namespaces "$build" "$TMP/$entry-ns")"
  ((count >= 1)) || fail "deploy/$entry: the build holds no Namespace object"
  for ((i = 0; i < count; i++)); do ensure_namespace "$TMP/$entry-ns.$i.yaml"; done
  server_dry_run "deploy/$entry" "$build" "$build.applied" || continue
  case "$entry" in
    default)
      expect_objects "deploy/$entry" "$build.applied" namespace/spark-operator \
        customresourcedefinition.apiextensions.k8s.io/sparkapplications.spark-operator.k8s.io \
        deployment.apps/spark-operator-controller deployment.apps/spark-operator-initializer \
        mutatingwebhookconfiguration.admissionregistration.k8s.io/spark-operator-initializer \
        service/spark-operator-initializer clusterrole.rbac.authorization.k8s.io/spark-operator-controller ;;
    controller-only)
      expect_objects "deploy/$entry" "$build.applied" namespace/spark-operator deployment.apps/spark-operator-controller
      if grep -q '^mutatingwebhookconfiguration' "$build.applied"; then fail "deploy/$entry holds the webhook"; fi ;;
    initializer-only)
      expect_objects "deploy/$entry" "$build.applied" namespace/spark-operator deployment.apps/spark-operator-initializer \
        mutatingwebhookconfiguration.admissionregistration.k8s.io/spark-operator-initializer
      if grep -q '^deployment.apps/spark-operator-controller' "$build.applied"; then fail "deploy/$entry holds the controller"; fi ;;
    default-native)
      # The native image, and nothing that needs spark-submit.
      grep -q 'image: spark-operator-controller:latest-native' "$build" || fail "deploy/$entry: not the -native image"
      if grep -q -- '--spark-submit\|SPARK_SUBMIT_MEMORY' "$build"; then fail "deploy/$entry still configures spark-submit"; fi ;;
  esac
done

# ---------------------------------------------------------------- spark-job-rbac component in a job namespace
step "component deploy/components/spark-job-rbac"
job_ns="deploy-test-jobs-$$"
mkdir -p "$TMP/job"
# Kustomize takes components by relative path only.
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: %s\ncomponents:\n  - %s\n' \
  "$job_ns" "$(realpath --relative-to="$TMP/job" "$ROOT/deploy/components/spark-job-rbac")" >"$TMP/job/kustomization.yaml"
if out="$(kubectl kustomize "$TMP/job" 2>&1 >"$TMP/job.yaml")"; then
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$job_ns" >"$TMP/job-ns.yaml"
  if ensure_namespace "$TMP/job-ns.yaml" && server_dry_run "spark-job-rbac in $job_ns" "$TMP/job.yaml" "$TMP/job.yaml.applied"; then
    expect_objects "spark-job-rbac" "$TMP/job.yaml.applied" serviceaccount/spark role.rbac.authorization.k8s.io/spark \
      rolebinding.rbac.authorization.k8s.io/spark
  fi
else
  fail "deploy/components/spark-job-rbac: kubectl kustomize failed: $out"
fi

# ---------------------------------------------------------------- the controller can prepare a job namespace
# Tenant preparation writes the objects of spark-job-rbac as the controller's service account; RBAC refuses a
# Role or RoleBinding granting more than the controller holds. deploy/rbac is applied for real under unique
# names (namePrefix) in a namespace of its own, so nothing of a real installation is touched.
step "controller RBAC (deploy/rbac) can create the spark-job-rbac objects in $job_ns"
op_ns="deploy-test-op-$$"
prefix="dt$$-"
mkdir -p "$TMP/rbac"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: %s\nnamePrefix: %s\nresources:\n  - %s\n' \
  "$op_ns" "$prefix" "$(realpath --relative-to="$TMP/rbac" "$ROOT/deploy/rbac")" >"$TMP/rbac/kustomization.yaml"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$op_ns" >"$TMP/op-ns.yaml"
if ! out="$(kubectl kustomize "$TMP/rbac" 2>&1 >"$TMP/rbac.yaml")"; then
  fail "deploy/rbac: kubectl kustomize failed: $out"
elif [[ -s "$TMP/job.yaml" ]] && ensure_namespace "$TMP/op-ns.yaml"; then
  rbac_applied="$TMP/rbac.yaml"  # cluster-scoped objects: deleted by cleanup
  if ! out="$("${K[@]}" apply -f "$TMP/rbac.yaml" 2>&1)"; then
    fail "applying deploy/rbac (as $prefix*): $out"
  elif ! out="$("${K[@]}" --as="system:serviceaccount:$op_ns:${prefix}spark-operator-controller" apply -f "$TMP/job.yaml" 2>&1)"; then
    fail "the controller's service account cannot create the spark-job-rbac objects (it must hold every permission the Role grants):"
    indent <<<"$out" >&2
  else
    indent <<<"$out"
  fi
fi

# ---------------------------------------------------------------- examples
shopt -s nullglob
examples=("$ROOT"/deploy/examples/*.yaml)
((${#examples[@]} > 0)) || fail "no examples in deploy/examples"
for example in "${examples[@]}"; do
  step "example ${example#"$ROOT"/}"
  server_dry_run "${example#"$ROOT"/}" "$example"
done

# ---------------------------------------------------------------- Deployment flags vs. the binaries
# check_flags <service>: every --flag in deploy/<service>'s Deployment is one the built binary lists.
check_flags() {
  local service="$1" binary="$BIN_DIR/spark-operator-$1" help flag name
  step "flags of deploy/$service vs. $binary"
  if [[ ! -x "$binary" ]]; then
    echo "    SKIP: $binary not built"
    return 0
  fi
  help="$("$binary" --helpfull 2>&1)"
  local flags
  flags="$(kubectl kustomize "$ROOT/deploy/$service" | sed -n 's/^ *- --\([A-Za-z0-9_-]*\).*/\1/p')"
  [[ -n "$flags" ]] || { fail "deploy/$service: no --flags found in the Deployment"; return 1; }
  for flag in $flags; do
    name="${flag//-/_}"  # gflags accepts --metrics-port for metrics_port
    if grep -q -- "^ *-$name (" <<<"$help"; then
      echo "    --$flag ok"
    else
      fail "deploy/$service passes --$flag, which $binary does not define (it would exit at start)"
    fi
  done
}
check_flags controller
check_flags initializer

if ((failures > 0)); then
  echo "deploy_test: FAIL ($failures problem(s))" >&2
  exit 1
fi
echo "deploy_test: PASS (${#ENTRY_POINTS[@]} entry points, spark-job-rbac, ${#examples[@]} examples)"
