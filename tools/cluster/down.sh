#!/usr/bin/env bash
# Stops every process tools/cluster/up.sh started (by recorded pid, verified against the
# binary path), removes the etcd data, the pod log files and the env file. Keeps PKI and cached binaries.
# Idempotent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"
STATE="$ROOT/.local/cluster"
PIDS="$STATE/run/pids"

ours() { # <pid> <binary>: is pid still the process we started?
  kill -0 "$1" 2>/dev/null && [[ "$(tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | head -n1)" == "$2" ]]
}

if [[ -z "${CLUSTER_LOCK_HELD:-}" && -d "$STATE" ]]; then # up.sh holds it when it calls us
  exec 8>"$STATE/.lock"
  flock 8
fi
rm -f "$STATE/env"   # first, so nobody picks up a half-dead cluster
if [[ -f "$PIDS" ]]; then
  # stop in reverse start order: kwok, scheduler, controller-manager, apiserver, etcd
  mapfile -t lines < <(tac "$PIDS")
  for l in "${lines[@]}"; do
    read -r name pid bin <<<"$l"
    [[ -n "${pid:-}" ]] || continue
    if ours "$pid" "$bin"; then kill -TERM "$pid" 2>/dev/null || true; echo "down.sh: stopping $name (pid $pid)"; fi
  done
  # all state is thrown away, so no need to wait long for graceful shutdown
  for l in "${lines[@]}"; do
    read -r name pid bin <<<"$l"
    [[ -n "${pid:-}" ]] || continue
    for _ in $(seq 1 20); do ours "$pid" "$bin" || break; sleep 0.1; done
    if ours "$pid" "$bin"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for l in "${lines[@]}"; do
    read -r name pid bin <<<"$l"
    [[ -n "${pid:-}" ]] || continue
    for _ in $(seq 1 50); do ours "$pid" "$bin" || break; sleep 0.1; done
    ours "$pid" "$bin" && echo "down.sh: WARNING: $name (pid $pid) still running" >&2
  done
fi
# Orphans: daemons from an up.sh whose pid record was lost (e.g. overlapping runs of an old
# up.sh). Only processes running a binary from our cache with arguments inside $STATE match.
CACHE_BIN="$SO_CACHE/bin/"
for d in /proc/[0-9]*; do
  mapfile -d '' -t argv < "$d/cmdline" 2>/dev/null || continue
  (( ${#argv[@]} > 1 )) || continue
  [[ "${argv[0]}" == "$CACHE_BIN"* ]] || continue
  [[ "${argv[*]:1}" == *"$STATE/"* ]] || continue
  pid="${d#/proc/}"
  echo "down.sh: stopping orphan $(basename "${argv[0]}") (pid $pid)"
  kill -KILL "$pid" 2>/dev/null || true
done
rm -rf "$STATE/run" "$STATE/etcd" "$STATE/pod-logs"  # pod-logs: the files Logs objects in etcd named
echo "down.sh: cluster down (etcd data removed; PKI kept in $STATE/pki, binaries kept in cache)"
