#!/usr/bin/env bash
# The webhook's latency now and at an earlier commit, measured in one run on the same machine (these machines are
# shared and noisy: only figures taken side by side compare). Builds webhook_bench at <rev> in a git worktree
# under .local/bench-<rev> (once), then runs the two binaries alternately, ROUNDS times each, at the same rate,
# and prints each run, the medians of p50 and p99 per binary, and their ratio (now / then).
#   bench/webhook_compare.sh [rev=0165391] [rate=1000] [seconds=10] [rounds=3] [build=build]
# 0165391 is the last commit before the hardening of issue 9 (iterative JSON parse with a depth cap, body and
# connection limits).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rev="${1:-0165391}" rate="${2:-1000}" seconds="${3:-10}" rounds="${4:-3}" build="${5:-build}"
old_tree="$root/.local/bench-$rev"
now_bin="$root/$build/bin/webhook_bench"
old_bin="$old_tree/build/bin/webhook_bench"

cmake --build "$root/$build" --target webhook_bench -j "${JOBS:-2}" >/dev/null
if [[ ! -x "$old_bin" ]]; then
  [[ -d "$old_tree" ]] || git -C "$root" worktree add --detach "$old_tree" "$rev" >/dev/null
  cmake -S "$old_tree" -B "$old_tree/build" -G Ninja >/dev/null
  echo "webhook_compare: building webhook_bench at $rev (once; log $old_tree/build.log)"
  cmake --build "$old_tree/build" --target webhook_bench -j "${JOBS:-2}" >"$old_tree/build.log" 2>&1
fi

declare -A p50s p99s
run() {  # name binary
  local line
  line="$("$2" --rate="$rate" --seconds="$seconds" 2>/dev/null | tee /dev/stderr | grep '^latency')"
  p50s[$1]+="$(sed -E 's/.*p50 ([0-9]+) us.*/\1/' <<<"$line") "
  p99s[$1]+="$(sed -E 's/.*p99 ([0-9]+) us.*/\1/' <<<"$line") "
}
for ((i = 1; i <= rounds; i++)); do
  echo "--- round $i: at $rev" >&2; run then "$old_bin"
  echo "--- round $i: now" >&2; run now "$now_bin"
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
then50=$(median "${p50s[then]}") then99=$(median "${p99s[then]}")
now50=$(median "${p50s[now]}") now99=$(median "${p99s[now]}")
printf 'webhook_compare: %d req/s, %d rounds of %d s: p50 now %d us, at %s %d us; p99 now %d us, at %s %d us; p99 ratio now/then %.2f\n' \
  "$rate" "$rounds" "$seconds" "$now50" "$rev" "$then50" "$now99" "$rev" "$then99" \
  "$(awk -v a="$now99" -v b="$then99" 'BEGIN {print a / b}')"
