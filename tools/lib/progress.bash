# Shell library: run a long step with its output in a log file, and tell the person waiting what is going on.
# Sourced by tools/demo.sh (and anything else that runs the first-time builds). Needs bash.

# run_with_progress <label> <log file> <expected> <command> [args...]
# Runs the command with stdout and stderr in the log file. Every 30 s (PROGRESS_INTERVAL) prints the time
# elapsed and the log's last "building"/"resolving" line, so that a 20-minute first build does not look hung.
# <expected> is a sentence on how long the step usually takes. Returns the command's exit status.
run_with_progress() {
  local label="$1" log="$2" expected="$3"
  shift 3
  local interval="${PROGRESS_INTERVAL:-30}" start=$SECONDS pid status now
  echo "$label: started at $(date +%T); $expected"
  echo "$label: full output in $log"
  "$@" >"$log" 2>&1 &
  pid=$!
  local next=$((SECONDS + interval))
  # Wake once a second, so that a fast step is not held up by the interval.
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    ((SECONDS >= next)) || continue
    next=$((SECONDS + interval))
    now="$(grep -E 'building|resolving|downloading|installing' "$log" 2>/dev/null | tail -n 1 | cut -c1-110)"
    printf '%s: %dm%02ds elapsed%s\n' "$label" $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) \
      "${now:+, now: $now}"
  done
  wait "$pid" && status=0 || status=$?
  echo "$label: $( ((status == 0)) && echo done || echo "FAILED (exit $status)") in $(((SECONDS - start) / 60))m$(((SECONDS - start) % 60))s"
  return "$status"
}
