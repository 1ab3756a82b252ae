# Builds pinned Go commands once into the cache outside the checkout (sourced by tools/cluster/build.sh and
# tools/stores/build.sh). The caller sets GO_BUILD_HERE (the folder with one Go module per upstream project),
# GO_BUILD_BIN (the cache's bin folder) and GO_BUILD_NAME (its own name, for messages), and holds
# "$GO_BUILD_BIN/.build.lock" (go_build_lock) while it builds, so that two scripts never build at once on a
# 2-core machine.

export GOFLAGS="${GOFLAGS:--p=2}"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

go_build_die() { echo "$GO_BUILD_NAME: $*" >&2; exit 1; }
go_build_now() { date +%s.%N; }
go_build_elapsed() { awk -v a="$1" -v b="$(go_build_now)" 'BEGIN { printf "%.1fs", b - a }'; }

# One build at a time across scripts and checkouts sharing the cache (fd 9, held until the caller exits).
go_build_lock() {
  mkdir -p "$GO_BUILD_BIN"
  exec 9>"$GO_BUILD_BIN/.build.lock"
  flock 9
}

# go.mod files must agree with versions.env (the one place versions are chosen).
go_build_check_pin() { # <module-dir> <module> <version>
  local got
  got="$(cd "$GO_BUILD_HERE/$1" && go list -m -f '{{.Version}}' "$2")"
  [[ "$got" == "$3" ]] || go_build_die "$GO_BUILD_HERE/$1/go.mod pins $2 $got but versions.env says $3 (run: cd $GO_BUILD_HERE/$1 && go get $2@$3 && go mod tidy)"
}

# go_build <module-dir> <out-dir> <ldflags> <name>=<package>...
# Builds into a temp dir with one `go build` (shared compile work), then renames atomically. Existing binaries
# are never rebuilt.
go_build() {
  local dir="$1" out="$2" ldflags="$3"; shift 3
  local missing=0 spec pkgs=()
  for spec in "$@"; do
    [[ -x "$out/${spec%%=*}" ]] || missing=1
    pkgs+=("${spec#*=}")
  done
  if (( missing == 0 )); then
    echo "$GO_BUILD_NAME: cached: $out ($(cd "$out" && echo *))"
    return 0
  fi
  command -v go >/dev/null || go_build_die "go not found on PATH"
  local t0 tmp
  t0="$(go_build_now)"
  tmp="$(mktemp -d "$GO_BUILD_BIN/.tmp.XXXXXX")"
  echo "$GO_BUILD_NAME: building ${pkgs[*]} -> $out (GOFLAGS=$GOFLAGS) ..."
  if (( ${#pkgs[@]} == 1 )); then
    (cd "$GO_BUILD_HERE/$dir" && go build -ldflags "$ldflags" -o "$tmp/${1%%=*}" "${pkgs[0]}") \
      || { rm -rf "$tmp"; go_build_die "go build failed in $GO_BUILD_HERE/$dir"; }
  else # names must equal the packages' last path element
    (cd "$GO_BUILD_HERE/$dir" && go build -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}") \
      || { rm -rf "$tmp"; go_build_die "go build failed in $GO_BUILD_HERE/$dir"; }
  fi
  mkdir -p "$out"
  for spec in "$@"; do mv -f "$tmp/${spec%%=*}" "$out/"; done
  rm -rf "$tmp"
  echo "$GO_BUILD_NAME: built $out in $(go_build_elapsed "$t0")"
}
