#!/usr/bin/env bash
# Restarts the local cluster's kube-apiserver with the arguments it runs with now (same port, same etcd), as a
# crash would: SIGKILL by default, or SIGTERM with --graceful. Waits until /readyz is ok again and keeps up.sh's
# records (run/pids, run/kube-apiserver.pid, KUBE_APISERVER_PID in env) current, so down.sh still stops it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"
STATE="$ROOT/.local/cluster"
RUN="$STATE/run"
# shellcheck source=../lib/cluster.bash
. "$ROOT/tools/lib/cluster.bash"
signal=KILL
[[ "${1:-}" == --graceful ]] && signal=TERM
die() { echo "restart-apiserver.sh: $*" >&2; exit 1; }

[[ -f "$STATE/env" ]] || die "no cluster (run tools/cluster/up.sh)"
# shellcheck disable=SC1091
. "$STATE/env"
exec 8>"$STATE/.lock"
flock 8
old="$(cluster_apiserver_pid "$STATE")"
mapfile -d '' -t argv < "/proc/$old/cmdline" || die "kube-apiserver (pid $old) is not running"
[[ "$(basename "${argv[0]}")" == kube-apiserver ]] || die "pid $old is not kube-apiserver"

kill -CONT "$old" 2>/dev/null || true  # a stopped process does not die of SIGTERM
kill "-$signal" "$old"
for _ in $(seq 1 300); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
kill -0 "$old" 2>/dev/null && die "kube-apiserver (pid $old) did not exit within 30 s"

setsid nohup "${argv[@]}" >>"$STATE/logs/kube-apiserver.log" 2>&1 </dev/null 8>&- &
new=$!
echo "$new" >"$RUN/kube-apiserver.pid"
sed -i "s#^kube-apiserver $old #kube-apiserver $new #" "$RUN/pids"
sed -i "s#^export KUBE_APISERVER_PID=.*#export KUBE_APISERVER_PID=$new#" "$STATE/env"
cluster_wait_ready 120 || die "kube-apiserver (pid $new) not ready within 120 s (see $STATE/logs/kube-apiserver.log)"
echo "restart-apiserver.sh: kube-apiserver restarted (SIG$signal pid $old, now pid $new)"
