#!/usr/bin/env bash
# Starts a local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok with fake nodes) on 127.0.0.1, state under <checkout>/.local/cluster/.
# No-op (success) when the cluster recorded in .local/cluster/env is already up and healthy.
# Stale state from a killed run is cleaned up first. Source .local/cluster/env afterwards.
#
# Env knobs: CLUSTER_NODES (fake node count, default 1), CLUSTER_TIMEOUT (seconds, default 120),
# CLUSTER_PROFILING (false; true serves the API server's /debug/pprof, which bench/scale.sh PPROF=S reads),
# CLUSTER_ENDPOINTS (true; false stops the controller-manager's Endpoints and EndpointSlice controllers: with
# thousands of driver Services in one namespace they match every pod change against every Service and take most
# of 2 shared cores, which bench/scale.sh 10000 is not measuring), CLUSTER_KWOK_PARALLELISM (kwok's pod stages
# played at once, default 4 as kwok's own; kwok's patches wait on the server, so a busy one needs more).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"

STATE="$ROOT/.local/cluster"
PKI="$STATE/pki"
LOGS="$STATE/logs"
RUN="$STATE/run"
ENV_FILE="$STATE/env"
NODES="${CLUSTER_NODES:-1}"
ENDPOINTS="${CLUSTER_ENDPOINTS:-true}"
KWOK_PARALLELISM="${CLUSTER_KWOK_PARALLELISM:-4}"
TIMEOUT="${CLUSTER_TIMEOUT:-120}"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
log() { echo "up.sh: $*"; }
die() {
  echo "up.sh: ERROR: $*" >&2
  echo "up.sh: logs in $LOGS:" >&2
  local f
  for f in "$LOGS"/*.log; do [[ -f "$f" ]] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}
T0="$(now)"
bad_knob() { echo "up.sh: ERROR: $*" >&2; exit 2; }
[[ "$ENDPOINTS" == true || "$ENDPOINTS" == false ]] || bad_knob "CLUSTER_ENDPOINTS must be true or false, not '$ENDPOINTS'"
[[ "$KWOK_PARALLELISM" =~ ^[1-9][0-9]*$ ]] \
  || bad_knob "CLUSTER_KWOK_PARALLELISM must be a positive number, not '$KWOK_PARALLELISM'"
KCM_CONTROLLERS='*,-nodeipam'
if [[ "$ENDPOINTS" == false ]]; then
  KCM_CONTROLLERS+=',-endpoints-controller,-endpointslice-controller,-endpointslice-mirroring-controller'
fi

# ---------------------------------------------------------------- already up?
# One up.sh/down.sh at a time per checkout (fd 8; closed in the started daemons).
mkdir -p "$STATE"
exec 8>"$STATE/.lock"
flock 8
if [[ -f "$ENV_FILE" ]] && "$HERE/status.sh" >/dev/null 2>&1; then
  log "cluster already up ($ENV_FILE)"
  wanted="nodes=$NODES endpoints=$ENDPOINTS kwok-parallelism=$KWOK_PARALLELISM"
  running="$(sed -n 's/^export CLUSTER_KNOBS="\(.*\)"$/\1/p' "$ENV_FILE")"
  [[ "$running" == "$wanted" ]] \
    || log "WARNING: it runs with '${running:-unknown knobs}', not '$wanted': tools/cluster/down.sh first to change them"
  exit 0
fi
if [[ -f "$ENV_FILE" || -s "$RUN/pids" || -d "$STATE/etcd" ]]; then
  log "found stale cluster state, cleaning up"
  CLUSTER_LOCK_HELD=1 "$HERE/down.sh" >/dev/null
fi

# ---------------------------------------------------------------- binaries
BUILD_OUT="$("$HERE/build.sh" 8>&-)" || { echo "$BUILD_OUT" >&2; die "build failed"; }
eval "$(grep -E '^[A-Z_]+=' <<<"$BUILD_OUT")"
log "binaries ready ($(elapsed "$T0"))"

mkdir -p "$PKI" "$LOGS" "$RUN"
rm -rf "$STATE/etcd" "$RUN"/*.pid
: > "$RUN/pids"   # "<name> <pid> <binary>" lines, used by down.sh

# ---------------------------------------------------------------- PKI (kept across restarts)
# (these three run inside $PKI)
ecgen() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # <name> <CN>
  ecgen "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}
leaf() { # <name> <ca> <subject> <extendedKeyUsage> [subjectAltName]
  ecgen "$1.key"
  openssl req -new -key "$1.key" -subj "$3" -out "$1.csr" 2>/dev/null
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"
    [[ -n "${5:-}" ]] && echo "subjectAltName=$5"
  } > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -sha256 -days 3650 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
gen_pki() {
  ( cd "$PKI"
    ca ca "spark-operator-local-ca"
    leaf apiserver ca "/CN=kube-apiserver" serverAuth \
      "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
    leaf admin ca "/O=system:masters/CN=kubernetes-admin" clientAuth
    leaf apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
    ca front-proxy-ca "spark-operator-local-front-proxy-ca"
    leaf front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
    # service-account token signing key pair
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    openssl rand -hex 24 > admin.token
    chmod 600 ./*.key admin.token
    touch .complete
  )
}
if [[ ! -f "$PKI/.complete" ]]; then
  rm -rf "${PKI:?}"/*
  gen_pki || die "PKI generation failed"
  log "generated PKI in $PKI"
fi
# kwok's kubelet-like server (the logs of the fake nodes' pods), which the API server reaches at the nodes'
# InternalIP, 127.0.0.1. Made apart from gen_pki so that a PKI from before it gets the certificate added.
if [[ ! -s "$PKI/kwok-kubelet.crt" ]]; then
  ( cd "$PKI" && leaf kwok-kubelet ca "/CN=kwok-kubelet" serverAuth "IP:127.0.0.1,DNS:localhost" \
      && chmod 600 kwok-kubelet.key ) || die "kwok serving certificate generation failed"
fi
TOKEN="$(cat "$PKI/admin.token")"
printf '%s,admin,admin-token-uid,"system:masters"\n' "$TOKEN" > "$PKI/tokens.csv"
chmod 600 "$PKI/tokens.csv"

# ---------------------------------------------------------------- ports
declare -A USED=()
# Below the kernel's ephemeral range: a port picked inside it can be taken, before its server binds it, as the
# local port of one of the connections the processes started first open (kube-controller-manager once failed to
# start so, "bind: address already in use", its port the local end of a connection made meanwhile).
EPHEMERAL_LOW="$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
PORT_SPAN=$(( EPHEMERAL_LOW > 22000 ? EPHEMERAL_LOW - 20000 : 30000 ))
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % PORT_SPAN ))
    [[ -n "${USED[$p]:-}" ]] && continue
    if ! ss -Htln "sport = :$p" | grep -q . && ! ss -Htan "sport = :$p" | grep -q .; then
      USED[$p]=1; echo "$p"; return
    fi
  done
}
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT=$(free_port)
KCM_PORT=$(free_port); SCHED_PORT=$(free_port); KWOK_PORT=$(free_port)
ETCD_ENDPOINT="http://127.0.0.1:$ETCD_PORT"
APISERVER_URL="https://127.0.0.1:$API_PORT"
KWOK_URL="https://127.0.0.1:$KWOK_PORT"

# ---------------------------------------------------------------- kubeconfigs
write_kubeconfig() { # <file> <user-yaml-lines>
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: spark-operator-local
  cluster:
    server: $APISERVER_URL
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
$3
contexts:
- name: spark-operator-local
  context:
    cluster: spark-operator-local
    user: $2
    namespace: default
current-context: spark-operator-local
EOF
  chmod 600 "$1"
}
write_kubeconfig "$STATE/kubeconfig" admin "    client-certificate: $PKI/admin.crt
    client-key: $PKI/admin.key"
write_kubeconfig "$STATE/kubeconfig-token" admin-token "    token: $TOKEN"
export KUBECONFIG="$STATE/kubeconfig"

# ---------------------------------------------------------------- process helpers
start() { # <name> <binary> <args...>
  local name="$1" bin="$2"; shift 2
  setsid nohup "$bin" "$@" >"$LOGS/$name.log" 2>&1 </dev/null 8>&- 9>&- &
  local pid=$!
  echo "$name $pid $bin" >> "$RUN/pids"
  echo "$pid" > "$RUN/$name.pid"
}
alive() { kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
wait_for() { # <what> <timeout-s> <process-to-watch|-> <command...>
  local what="$1" limit="$2" proc="$3"; shift 3
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if [[ "$proc" != "-" ]] && ! alive "$proc"; then die "$proc exited while waiting for $what"; fi
    (( $(date +%s) < deadline )) || die "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
  log "$what ($(elapsed "$T0"))"
}
KC=(kubectl --kubeconfig "$STATE/kubeconfig" --request-timeout=10s)

# ---------------------------------------------------------------- etcd
start etcd "$ETCD" \
  --name local --data-dir "$STATE/etcd" \
  --listen-client-urls "$ETCD_ENDPOINT" --advertise-client-urls "$ETCD_ENDPOINT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes=8589934592 --log-level=warn
# (kube-apiserver is started right away: it retries until etcd answers; /readyz covers etcd)

# ---------------------------------------------------------------- kube-apiserver
# ConfigMaps bypass the watch cache (--watch-cache-sizes=configmaps#0) so that watches on them are served by
# etcd itself: after an etcd compaction a watch from an older version gets 410 Gone, which the informer tests
# need to provoke. Every other resource keeps the cache, as in production.
# Every write is audited (metadata only, with each client's User-Agent), so that tests can prove from the server's
# own record who wrote what when, e.g. that an old leader made no write after its successor took the lease.
cat > "$STATE/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  verbs: [create, update, patch, delete, deletecollection]
- level: None
EOF
start kube-apiserver "$KUBE_APISERVER" \
  --audit-policy-file="$STATE/audit-policy.yaml" --audit-log-path="$LOGS/audit.log" \
  --audit-log-format=json --audit-log-maxsize=200 --audit-log-maxbackup=1 --audit-log-mode=blocking \
  --watch-cache-sizes=configmaps#0 \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
  --etcd-servers="$ETCD_ENDPOINT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --token-auth-file="$PKI/tokens.csv" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
  --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction \
  --service-cluster-ip-range=10.96.0.0/16 \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --api-audiences=https://kubernetes.default.svc.cluster.local \
  --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
  --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
  --allow-privileged=true \
  --endpoint-reconciler-type=none \
  --profiling="${CLUSTER_PROFILING:-false}"
alive etcd || { sleep 0.5; alive etcd || die "etcd exited"; }
wait_for "kube-apiserver /readyz ok" 60 kube-apiserver \
  curl -fsS --cacert "$PKI/ca.crt" -H "Authorization: Bearer $TOKEN" "$APISERVER_URL/readyz"

# ---------------------------------------------------------------- controller-manager, scheduler, kwok
start kube-controller-manager "$KUBE_CONTROLLER_MANAGER" \
  --kubeconfig="$STATE/kubeconfig" \
  --authentication-kubeconfig="$STATE/kubeconfig" --authorization-kubeconfig="$STATE/kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
  --leader-elect=false \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --service-cluster-ip-range=10.96.0.0/16 \
  --controllers="$KCM_CONTROLLERS" \
  --profiling=false
start kube-scheduler "$KUBE_SCHEDULER" \
  --kubeconfig="$STATE/kubeconfig" \
  --authentication-kubeconfig="$STATE/kubeconfig" --authorization-kubeconfig="$STATE/kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" \
  --leader-elect=false --profiling=false
# Pod logs (`kubectl logs`): the API server asks the pod's node, that is kwok's server at the node's InternalIP
# (--node-ip) and kubelet port (--node-port, published in status.daemonEndpoints by kwok/stages.yaml). kwok reads a
# container's log from the file named by the pod's kwok.x-k8s.io Logs object (tools/lib/pod_logs.bash), else
# from the default below. Logs are objects (--enable-crds), so their CRD must exist before kwok watches them.
"${KC[@]}" apply -f "$KWOK_CRDS" >/dev/null || die "installing kwok's CRDs from $KWOK_CRDS failed"
mkdir -p "$STATE/kwok"
printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" \
  "no log set for this container on the local cluster (tools/cluster/README.md: set_pod_log, SetPodLog)" \
  > "$STATE/kwok/default-container.log"
cat > "$STATE/kwok/logs.yaml" <<EOF
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: default
spec:
  logs:
  - logsFile: $STATE/kwok/default-container.log
    follow: false
---
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
# A KwokConfiguration read from a file gets no defaults: every option kwok's own defaults set is set here (its
# cidr by --cidr below).
options:
  podPlayStageParallelism: $KWOK_PARALLELISM
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 1
  manageAllNodes: false
  enableDebuggingHandlers: true
  enableContentionProfiling: false
  enableProfilingHandler: true
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
EOF
crds_established() { "${KC[@]}" wait --for=condition=Established --timeout=1s -f "$KWOK_CRDS"; }
wait_for "kwok CRDs established" 30 kube-apiserver crds_established
start kwok "$KWOK" \
  --kubeconfig="$STATE/kubeconfig" \
  --config="$HERE/kwok/stages.yaml" --config="$STATE/kwok/logs.yaml" \
  --enable-crds=Logs \
  --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds=40 \
  --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --cidr=10.244.0.0/16 \
  --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file="$PKI/kwok-kubelet.crt" --tls-private-key-file="$PKI/kwok-kubelet.key"

# ---------------------------------------------------------------- fake nodes
nodes_yaml() {
  local i
  for (( i = 0; i < NODES; i++ )); do
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: kwok
# Room for bench/scale.sh's phases (pods of finished phases stay until it ends): a node of 10,000 pods left the
# spark-submit phase's drivers Pending at N=1,000.
status:
  allocatable: {cpu: "100000", memory: 400Ti, pods: "200000", ephemeral-storage: 10Ti}
  capacity: {cpu: "100000", memory: 400Ti, pods: "200000", ephemeral-storage: 10Ti}
EOF
  done
}
nodes_yaml | "${KC[@]}" apply -f - >/dev/null || die "creating fake nodes failed"

default_sa() { "${KC[@]}" -n default get serviceaccount default; }
wait_for "default service account exists" "$TIMEOUT" kube-controller-manager default_sa
nodes_ready() {
  local n
  n="$("${KC[@]}" get nodes -l type=kwok -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.taints}{"\n"}{end}' \
        | awk '$2 == "True" && $3 == "" { c++ } END { print c + 0 }')"
  (( n == NODES ))
}
wait_for "$NODES kwok node(s) Ready and untainted" "$TIMEOUT" kwok nodes_ready
kwok_serving() { curl -fsS --max-time 2 --cacert "$PKI/ca.crt" "$KWOK_URL/healthz"; }
wait_for "kwok serving on $KWOK_URL" "$TIMEOUT" kwok kwok_serving
for p in kube-controller-manager kube-scheduler kwok; do alive "$p" || die "$p is not running"; done

# ---------------------------------------------------------------- env file
pid_of() { cat "$RUN/$1.pid"; }
cat > "$ENV_FILE.tmp" <<EOF
# generated by tools/cluster/up.sh; source it: . .local/cluster/env
export KUBECONFIG=$STATE/kubeconfig
export KUBECONFIG_TOKEN=$STATE/kubeconfig-token
export APISERVER_URL=$APISERVER_URL
export APISERVER_CA=$PKI/ca.crt
export APISERVER_TOKEN=$TOKEN
export ADMIN_CLIENT_CERT=$PKI/admin.crt
export ADMIN_CLIENT_KEY=$PKI/admin.key
export ETCD_ENDPOINT=$ETCD_ENDPOINT
export KWOK_URL=$KWOK_URL
export KUBERNETES_VERSION=$KUBERNETES_VERSION
export ETCD_VERSION=$ETCD_VERSION
export KWOK_VERSION=$KWOK_VERSION
export KWOK_NODES="$("${KC[@]}" get nodes -l type=kwok -o jsonpath='{.items[*].metadata.name}')"
export CLUSTER_KNOBS="nodes=$NODES endpoints=$ENDPOINTS kwok-parallelism=$KWOK_PARALLELISM"
export CLUSTER_STATE_DIR=$STATE
export AUDIT_LOG=$LOGS/audit.log
export ETCD_PID=$(pid_of etcd)
export KUBE_APISERVER_PID=$(pid_of kube-apiserver)
export KUBE_CONTROLLER_MANAGER_PID=$(pid_of kube-controller-manager)
export KUBE_SCHEDULER_PID=$(pid_of kube-scheduler)
export KWOK_PID=$(pid_of kwok)
EOF
mv "$ENV_FILE.tmp" "$ENV_FILE"
log "cluster up in $(elapsed "$T0"): $APISERVER_URL (etcd $ETCD_ENDPOINT); env: $ENV_FILE"
