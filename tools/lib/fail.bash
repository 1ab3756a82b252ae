# How a script that runs services ends when a check fails (sourced, not run): the reason, then what the services
# last logged.

# Prints "<who>: FAIL: <message>" and the last <lines> lines of each <log dir>/*.log on stderr, then exits 1.
fail_with_logs() { # <who> <log dir> <lines> <message>...
  local who="$1" dir="$2" lines="$3" f
  shift 3
  echo "$who: FAIL: $*" >&2
  for f in "$dir"/*.log; do [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n "$lines" "$f" >&2; }; done
  exit 1
}
