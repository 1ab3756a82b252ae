#!/usr/bin/env bash
# Exit 0 if the cluster recorded in .local/cluster/env is running and /readyz is ok.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"
STATE="$ROOT/.local/cluster"
[[ -f "$STATE/env" && -f "$STATE/run/pids" ]] || { echo "status.sh: not up (no $STATE/env)"; exit 1; }
# shellcheck disable=SC1091
source "$STATE/env"
while read -r name pid bin; do
  [[ -n "$name" ]] || continue
  if ! kill -0 "$pid" 2>/dev/null || [[ "$(tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | head -n1)" != "$bin" ]]; then
    echo "status.sh: $name (pid $pid) is not running"; exit 1
  fi
done < "$STATE/run/pids"
curl -fsS --max-time 5 --cacert "$APISERVER_CA" -H "Authorization: Bearer $APISERVER_TOKEN" "$APISERVER_URL/readyz" >/dev/null \
  || { echo "status.sh: $APISERVER_URL/readyz not ok"; exit 1; }
echo "status.sh: up: $APISERVER_URL (KUBECONFIG=$KUBECONFIG)"
