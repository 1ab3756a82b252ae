# Shell helpers for scripts that act on the local cluster of tools/cluster/up.sh (sourced, not run).
# Started for the fault suite (tests/fault/); beside it, checkout.bash (ROOT, versions, the cache) and fail.bash
# (failing with the services' last log lines) hold what the scripts' preambles had copied.

# The running kube-apiserver's pid, from up.sh's record (restart-apiserver.sh keeps it current).
cluster_apiserver_pid() { # <cluster dir>
  cat "$1/run/kube-apiserver.pid"
}

# Polls /readyz until it answers ok; returns 1 after <timeout> seconds.
cluster_wait_ready() { # <timeout-s>
  local deadline=$((SECONDS + $1))
  until curl -fsS --max-time 2 --cacert "$APISERVER_CA" -H "Authorization: Bearer $APISERVER_TOKEN" \
    "$APISERVER_URL/readyz" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# etcd's current revision, through its v3 HTTP gateway.
cluster_etcd_revision() {
  curl -fsS --max-time 5 -X POST -d '{"key":"AA=="}' "$ETCD_ENDPOINT/v3/kv/range" | jq -r '.header.revision'
}

# Compacts etcd up to its current revision: a watch or list from an older resourceVersion that reaches etcd
# then gets 410 Gone. Prints the revision.
cluster_etcd_compact() {
  local rev
  rev="$(cluster_etcd_revision)" || return 1
  [[ "$rev" =~ ^[0-9]+$ ]] || return 1
  curl -fsS --max-time 30 -X POST -d "{\"revision\":\"$rev\",\"physical\":true}" \
    "$ETCD_ENDPOINT/v3/kv/compaction" >/dev/null || return 1
  echo "$rev"
}

# Waits until each named CRD is Established, with $KUBECONFIG; returns 1 after <timeout> seconds. Polled:
# `kubectl wait --for=condition=Established` fails at once on a CRD so new that it has no conditions yet, which is
# every CRD on a fresh cluster.
cluster_wait_established() { # <timeout-s> <crd>...
  local deadline=$((SECONDS + $1)) crd
  shift
  for crd in "$@"; do
    until [ "$(kubectl get crd "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' \
      2>/dev/null)" = True ]; do
      ((SECONDS < deadline)) || return 1
      sleep 0.2
    done
  done
}
