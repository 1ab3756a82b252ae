# Container logs of pods on the local cluster's fake nodes (sourced, not run; needs .local/cluster/env sourced).
# `kubectl logs` (GET .../pods/<pod>/log) reaches kwok, which serves a container's log from the file that the pod's
# kwok.x-k8s.io/v1alpha1 Logs object (same namespace and name as the pod) names for that container, else a
# one-line default. kwok reads the CRI log format, so set_pod_log keeps a converted copy of the test's file under
# $CLUSTER_STATE_DIR/pod-logs/<ns>/<pod>/ (tools/cluster/down.sh deletes them all).

# The converted copy kwok serves for one container.
pod_log_path() { # <ns> <pod> <container>
  echo "$CLUSTER_STATE_DIR/pod-logs/$1/$2/$3.log"
}

# Writes <raw> in the CRI log format, as a container runtime would: every line "<time> stdout F <line>", and a
# last line without a newline tagged P (partial; the newline ending it in the file is not part of the log), so
# that what kwok serves is <raw> byte for byte.
pod_log_to_cri() { # <raw file> <CRI file>
  local ts last=F
  ts="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"
  if [[ -s "$1" && "$(tail -c 1 "$1" | od -An -tx1)" != *0a* ]]; then last=P; fi
  LC_ALL=C sed -e "\$!s/^/$ts stdout F /" -e "\$s/^/$ts stdout $last /" "$1" >"$2" || return 1
  if [[ "$last" == P ]]; then echo >>"$2"; fi
}

# Gives <container> of pod <ns>/<pod> the log <file> (its content, as `kubectl logs` should print it), before or
# after the pod exists; calling it again replaces that container's log. Returns once kwok serves it (or 1
# after <timeout-s>, default 30). The pod's other containers keep theirs; those never set have none (an error).
set_pod_log() { # <ns> <pod> <container> <file> [timeout-s]
  local ns="$1" pod="$2" container="$3" src="$4" limit="${5:-30}"
  local dst obj want i
  [[ -f "$src" ]] || { echo "set_pod_log: no file $src" >&2; return 1; }
  dst="$(pod_log_path "$ns" "$pod" "$container")"
  mkdir -p "${dst%/*}" || return 1
  # Replaced whole (rename), so that a reader never sees half of it.
  pod_log_to_cri "$src" "$dst.tmp.$$" && mv -f "$dst.tmp.$$" "$dst" || { rm -f "$dst.tmp.$$"; return 1; }
  for ((i = 0; ; i++)); do  # read, change, write; again on a conflict with a concurrent writer
    if obj="$(kubectl -n "$ns" get logs.kwok.x-k8s.io "$pod" -o json 2>/dev/null)"; then
      want="$(jq -cS --arg c "$container" --arg f "$dst" \
        '.spec.logs = ([.spec.logs[]? | select((.containers // []) | index($c) | not)]
                       + [{containers: [$c], logsFile: $f, follow: false}])' <<<"$obj")" || return 1
      [[ "$(jq -cS . <<<"$obj")" == "$want" ]] && break
      kubectl replace -f - >/dev/null 2>&1 <<<"$want" && break
    else
      jq -nc --arg ns "$ns" --arg pod "$pod" --arg c "$container" --arg f "$dst" \
        '{apiVersion: "kwok.x-k8s.io/v1alpha1", kind: "Logs", metadata: {namespace: $ns, name: $pod},
          spec: {logs: [{containers: [$c], logsFile: $f, follow: false}]}}' \
        | kubectl create -f - >/dev/null 2>&1 && break
    fi
    ((i < 10)) || { echo "set_pod_log: cannot write Logs $ns/$pod" >&2; return 1; }
    sleep 0.2
  done
  pod_log_wait "$ns" "$pod" "$container" "$src" "$limit"
}

# Waits until kwok serves <file> as the log of <container> (it learns of Logs objects through a watch): asks
# kwok itself, which needs no pod, for the first bytes.
pod_log_wait() { # <ns> <pod> <container> <file> [timeout-s]
  local size n query="" got deadline=$((SECONDS + ${5:-30}))
  size="$(stat -c %s "$4")" || return 1
  n=$((size < 4096 ? size : 4096))
  ((n > 0)) && query="?limitBytes=$n"
  got="$(mktemp)" || return 1
  until curl -fsS --max-time 5 --cacert "$APISERVER_CA" -o "$got" \
      "$KWOK_URL/containerLogs/$1/$2/$3$query" 2>/dev/null && cmp -s "$got" <(head -c "$n" "$4"); do
    if ((SECONDS >= deadline)); then
      echo "set_pod_log: kwok does not serve $4 as the log of $1/$2 container $3" >&2
      rm -f "$got"
      return 1
    fi
    sleep 0.1
  done
  rm -f "$got"
}
