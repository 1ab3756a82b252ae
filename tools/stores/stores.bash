# Start and stop the object-store servers of tools/stores/build.sh on loopback (sourced; start.sh and stop.sh
# are the same as commands). Each server lives in a state directory of its own:
#   <dir>/data   what it stores (kept across stop and start: a restart finds its buckets and objects again)
#   <dir>/env    STORE_KIND, STORE_ENDPOINT, STORE_PORT, STORE_PID, and for s3 the key pair and region
#   <dir>/log    its output
# Starting a directory that has an env file reuses its port, so a stopped server comes back where its clients
# expect it.

STORES_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The S3 server's only account. Test credentials for a server on loopback, not a secret.
STORES_S3_ACCESS_KEY="${STORES_S3_ACCESS_KEY:-spark-operator-test}"
STORES_S3_SECRET_KEY="${STORES_S3_SECRET_KEY:-spark-operator-test-secret}"
STORES_S3_REGION="${STORES_S3_REGION:-us-east-1}"

stores_log() { echo "stores: $*" >&2; }

# A port nothing listens on or talks from (as tools/cluster/up.sh picks them).
stores_free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    if ! ss -Htln "sport = :$p" | grep -q . && ! ss -Htan "sport = :$p" | grep -q .; then
      echo "$p"
      return
    fi
  done
}

# The binaries, built once (tools/stores/build.sh prints their paths).
stores_binaries() {
  local out
  out="$("$STORES_HERE/build.sh" 9>&-)" || { echo "$out" >&2; return 1; }
  eval "$(grep -E '^(FAKE_GCS_SERVER|VERSITYGW)=' <<<"$out")"
}

stores_running() { # <dir>
  local pid
  [[ -f "$1/env" ]] || return 1
  pid="$(sed -n 's/^STORE_PID=//p' "$1/env")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# Answers at all: any HTTP status (the S3 server refuses an anonymous request with 403).
stores_answers() { # <endpoint>
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/" 2>/dev/null)" || true
  [[ "$code" != 000 && -n "$code" ]]
}

# stores_start gcs|s3 <dir> [--port N] [--bucket NAME]...
# Starts the server unless it runs already, waits until it answers (30 s at most), creates the buckets, and
# exports the variables of <dir>/env into the caller's shell.
stores_start() {
  local kind="$1" dir="$2" port="" buckets=() pid
  shift 2
  while (($#)); do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --bucket) buckets+=("$2"); shift 2 ;;
      *) stores_log "unknown option $1"; return 2 ;;
    esac
  done
  [[ "$kind" == gcs || "$kind" == s3 ]] || { stores_log "kind must be gcs or s3, not '$kind'"; return 2; }
  mkdir -p "$dir/data"
  dir="$(cd "$dir" && pwd)"
  if stores_running "$dir"; then
    stores_log "$kind already running in $dir"
  else
    stores_binaries || return 1
    [[ -z "$port" && -f "$dir/env" ]] && port="$(sed -n 's/^STORE_PORT=//p' "$dir/env")"
    [[ -n "$port" ]] || port="$(stores_free_port)"
    if [[ "$kind" == gcs ]]; then
      # Its upload sessions name "localhost" while clients use 127.0.0.1, so that a client which follows the
      # session's host instead of its configured endpoint's would show in tests.
      setsid "$FAKE_GCS_SERVER" -scheme http -host 127.0.0.1 -port "$port" -backend filesystem \
        -filesystem-root "$dir/data" -external-url "http://localhost:$port" -public-host "localhost:$port" \
        -log-level warn </dev/null >>"$dir/log" 2>&1 9>&- &
    else
      setsid "$VERSITYGW" --access "$STORES_S3_ACCESS_KEY" --secret "$STORES_S3_SECRET_KEY" \
        --region "$STORES_S3_REGION" --port "127.0.0.1:$port" --keep-alive --quiet posix "$dir/data" \
        </dev/null >>"$dir/log" 2>&1 9>&- &
    fi
    pid=$!
    {
      echo "STORE_KIND=$kind"
      echo "STORE_DIR=$dir"
      echo "STORE_PORT=$port"
      echo "STORE_ENDPOINT=http://127.0.0.1:$port"
      echo "STORE_PID=$pid"
      if [[ "$kind" == s3 ]]; then
        echo "STORE_S3_ACCESS_KEY=$STORES_S3_ACCESS_KEY"
        echo "STORE_S3_SECRET_KEY=$STORES_S3_SECRET_KEY"
        echo "STORE_S3_REGION=$STORES_S3_REGION"
      fi
    } >"$dir/env"
    local deadline=$((SECONDS + 30))
    until stores_answers "http://127.0.0.1:$port"; do
      if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
        stores_log "$kind did not start on 127.0.0.1:$port; the end of $dir/log:"
        tail -n 20 "$dir/log" >&2
        kill "$pid" 2>/dev/null
        return 1
      fi
      sleep 0.1
    done
  fi
  set -a
  # shellcheck disable=SC1091
  source "$dir/env"
  set +a
  local bucket
  for bucket in "${buckets[@]}"; do stores_make_bucket "$dir" "$bucket" || return 1; done
}

# Creates a bucket; one that exists already is fine.
stores_make_bucket() { # <dir> <bucket>
  local dir="$1" bucket="$2" code kind endpoint
  kind="$(sed -n 's/^STORE_KIND=//p' "$dir/env")"
  endpoint="$(sed -n 's/^STORE_ENDPOINT=//p' "$dir/env")"
  if [[ "$kind" == gcs ]]; then
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
      -d "{\"name\":\"$bucket\"}" "$endpoint/storage/v1/b?project=test")"
  else
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X PUT \
      -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
      --aws-sigv4 "aws:amz:$STORES_S3_REGION:s3" --user "$STORES_S3_ACCESS_KEY:$STORES_S3_SECRET_KEY" \
      "$endpoint/$bucket")"
  fi
  [[ "$code" == 200 || "$code" == 409 ]] || { stores_log "creating bucket $bucket on $kind: HTTP $code"; return 1; }
}

# Stops the server of <dir> (TERM, then KILL after 10 s) and waits until it is gone; its data stays.
stores_stop() { # <dir>
  local dir="$1" pid
  [[ -f "$dir/env" ]] || return 0
  pid="$(sed -n 's/^STORE_PID=//p' "$dir/env")"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null
      deadline=$((SECONDS + 10))
    fi
    sleep 0.05
  done
}
