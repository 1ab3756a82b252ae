#!/usr/bin/env bash
# Builds the local control-plane binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd, kwok) from Go modules, once, into a cache outside the checkout:
#   ${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}/bin/<project>-<version>/<binary>
# Versions come from tools/versions.env. Existing binaries are never rebuilt.
# Beside kwok it keeps the CustomResourceDefinitions kwok watches (kwok-<version>/crd/, copied from that
# version's module). Prints the paths of the binaries (and of that folder) on success. Idempotent; safe to
# run concurrently (flock).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=../versions.env
source "$ROOT/tools/versions.env"

CACHE="${SPARK_OPERATOR_CACHE:-$HOME/.cache/spark-operator}"
BIN="$CACHE/bin"
K8S_DIR="$BIN/kubernetes-$KUBERNETES_VERSION"
ETCD_DIR="$BIN/etcd-$ETCD_VERSION"
KWOK_DIR="$BIN/kwok-$KWOK_VERSION"
export GOFLAGS="${GOFLAGS:--p=2}"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

die() { echo "build.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# go.mod files must agree with versions.env (the one place versions are chosen).
check_pin() { # <dir> <module> <version>
  local got
  got="$(cd "$HERE/$1" && go list -m -f '{{.Version}}' "$2")"
  [[ "$got" == "$3" ]] || die "tools/cluster/$1/go.mod pins $2 $got but versions.env says $3 (run: cd tools/cluster/$1 && go get $2@$3 && go mod tidy)"
}

# build <module-dir> <out-dir> <ldflags> <name>=<package>...
# Builds into a temp dir with one `go build` (shared compile work), then renames atomically.
build() {
  local dir="$1" out="$2" ldflags="$3"; shift 3
  local missing=0 spec pkgs=()
  for spec in "$@"; do
    [[ -x "$out/${spec%%=*}" ]] || missing=1
    pkgs+=("${spec#*=}")
  done
  if (( missing == 0 )); then
    echo "build.sh: cached: $out ($(cd "$out" && echo *))"
    return 0
  fi
  local t0 tmp
  t0="$(now)"
  tmp="$(mktemp -d "$BIN/.tmp.XXXXXX")"
  echo "build.sh: building ${pkgs[*]} -> $out (GOFLAGS=$GOFLAGS) ..."
  if (( ${#pkgs[@]} == 1 )); then
    (cd "$HERE/$dir" && go build -ldflags "$ldflags" -o "$tmp/${1%%=*}" "${pkgs[0]}") \
      || { rm -rf "$tmp"; die "go build failed in tools/cluster/$dir"; }
  else # names must equal the packages' last path element
    (cd "$HERE/$dir" && go build -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}") \
      || { rm -rf "$tmp"; die "go build failed in tools/cluster/$dir"; }
  fi
  mkdir -p "$out"
  for spec in "$@"; do mv -f "$tmp/${spec%%=*}" "$out/"; done
  rm -rf "$tmp"
  echo "build.sh: built $out in $(elapsed "$t0")"
}

mkdir -p "$BIN"
exec 9>"$BIN/.build.lock"
flock 9

T0="$(now)"
K8S_MINOR="${KUBERNETES_VERSION#v1.}"; K8S_MINOR="${K8S_MINOR%%.*}"
K8S_LDFLAGS="-s -w"
for kv in "gitVersion=$KUBERNETES_VERSION" gitMajor=1 "gitMinor=$K8S_MINOR" gitTreeState=clean \
          buildDate=1970-01-01T00:00:00Z; do
  K8S_LDFLAGS+=" -X k8s.io/component-base/version.$kv"
done

need_build=0
for f in "$K8S_DIR/kube-apiserver" "$K8S_DIR/kube-controller-manager" "$K8S_DIR/kube-scheduler" \
         "$ETCD_DIR/etcd" "$KWOK_DIR/kwok"; do
  [[ -x "$f" ]] || need_build=1
done
if (( need_build )); then
  command -v go >/dev/null || die "go not found on PATH"
  check_pin kube k8s.io/kubernetes "$KUBERNETES_VERSION"
  check_pin etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  check_pin kwok sigs.k8s.io/kwok "$KWOK_VERSION"
fi

build kube "$K8S_DIR" "$K8S_LDFLAGS" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
build etcd "$ETCD_DIR" "-s -w" etcd=go.etcd.io/etcd/server/v3
build kwok "$KWOK_DIR" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" kwok=sigs.k8s.io/kwok/cmd/kwok

# The CRDs of the kwok objects up.sh enables (--enable-crds), from the pinned module itself (go.sum-verified).
KWOK_CRDS="$KWOK_DIR/crd"
KWOK_CRD_FILES=(kwok.x-k8s.io_logs.yaml)
copy_kwok_crds() {
  local f missing=0
  for f in "${KWOK_CRD_FILES[@]}"; do [[ -s "$KWOK_CRDS/$f" ]] || missing=1; done
  (( missing )) || return 0
  command -v go >/dev/null || die "go not found on PATH"
  local dir tmp
  dir="$(cd "$HERE/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
         | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" \
    || die "go mod download sigs.k8s.io/kwok@$KWOK_VERSION failed in tools/cluster/kwok"
  [[ -d "$dir/kustomize/crd/bases" ]] || die "sigs.k8s.io/kwok@$KWOK_VERSION has no kustomize/crd/bases (module dir '$dir')"
  tmp="$(mktemp -d "$BIN/.tmp.XXXXXX")"
  for f in "${KWOK_CRD_FILES[@]}"; do
    cp "$dir/kustomize/crd/bases/$f" "$tmp/" || { rm -rf "$tmp"; die "missing $f in sigs.k8s.io/kwok@$KWOK_VERSION"; }
  done
  mkdir -p "$KWOK_CRDS"
  for f in "${KWOK_CRD_FILES[@]}"; do chmod 644 "$tmp/$f"; mv -f "$tmp/$f" "$KWOK_CRDS/"; done
  rm -rf "$tmp"
  echo "build.sh: copied kwok CRDs (${KWOK_CRD_FILES[*]}) -> $KWOK_CRDS"
}
copy_kwok_crds

echo "build.sh: done in $(elapsed "$T0")"
echo "KUBE_APISERVER=$K8S_DIR/kube-apiserver"
echo "KUBE_CONTROLLER_MANAGER=$K8S_DIR/kube-controller-manager"
echo "KUBE_SCHEDULER=$K8S_DIR/kube-scheduler"
echo "ETCD=$ETCD_DIR/etcd"
echo "KWOK=$KWOK_DIR/kwok"
echo "KWOK_CRDS=$KWOK_CRDS"
