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
# shellcheck source=../lib/checkout.bash
source "$HERE/../lib/checkout.bash"

BIN="$SO_CACHE/bin"
K8S_DIR="$BIN/kubernetes-$KUBERNETES_VERSION"
ETCD_DIR="$BIN/etcd-$ETCD_VERSION"
KWOK_DIR="$BIN/kwok-$KWOK_VERSION"
# shellcheck source=../lib/go_build.bash
source "$ROOT/tools/lib/go_build.bash"
GO_BUILD_HERE="$HERE" GO_BUILD_BIN="$BIN" GO_BUILD_NAME=build.sh

print_paths() {
  echo "KUBE_APISERVER=$K8S_DIR/kube-apiserver"
  echo "KUBE_CONTROLLER_MANAGER=$K8S_DIR/kube-controller-manager"
  echo "KUBE_SCHEDULER=$K8S_DIR/kube-scheduler"
  echo "ETCD=$ETCD_DIR/etcd"
  echo "KWOK=$KWOK_DIR/kwok"
  echo "KWOK_CRDS=$KWOK_DIR/crd"
}
# Built binaries are never rebuilt, so when all are there the lock is not needed: waiting for it would hold a
# cluster start behind another script's unrelated Go build (tools/stores/build.sh shares the lock).
all_there=1
for f in "$K8S_DIR/kube-apiserver" "$K8S_DIR/kube-controller-manager" "$K8S_DIR/kube-scheduler" \
         "$ETCD_DIR/etcd" "$KWOK_DIR/kwok" "$KWOK_DIR/crd/kwok.x-k8s.io_logs.yaml"; do
  [[ -x "$f" || ( "$f" == *.yaml && -s "$f" ) ]] || all_there=0
done
if (( all_there )); then
  print_paths
  exit 0
fi

go_build_lock

T0="$(go_build_now)"
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
  go_build_check_pin kube k8s.io/kubernetes "$KUBERNETES_VERSION"
  go_build_check_pin etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  go_build_check_pin kwok sigs.k8s.io/kwok "$KWOK_VERSION"
fi

go_build kube "$K8S_DIR" "$K8S_LDFLAGS" \
  kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver \
  kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager \
  kube-scheduler=k8s.io/kubernetes/cmd/kube-scheduler
go_build etcd "$ETCD_DIR" "-s -w" etcd=go.etcd.io/etcd/server/v3
go_build kwok "$KWOK_DIR" "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" kwok=sigs.k8s.io/kwok/cmd/kwok

# The CRDs of the kwok objects up.sh enables (--enable-crds), from the pinned module itself (go.sum-verified).
KWOK_CRDS="$KWOK_DIR/crd"
KWOK_CRD_FILES=(kwok.x-k8s.io_logs.yaml)
copy_kwok_crds() {
  local f missing=0
  for f in "${KWOK_CRD_FILES[@]}"; do [[ -s "$KWOK_CRDS/$f" ]] || missing=1; done
  (( missing )) || return 0
  command -v go >/dev/null || go_build_die "go not found on PATH"
  local dir tmp
  dir="$(cd "$HERE/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
         | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" \
    || go_build_die "go mod download sigs.k8s.io/kwok@$KWOK_VERSION failed in tools/cluster/kwok"
  [[ -d "$dir/kustomize/crd/bases" ]] || go_build_die "sigs.k8s.io/kwok@$KWOK_VERSION has no kustomize/crd/bases (module dir '$dir')"
  tmp="$(mktemp -d "$BIN/.tmp.XXXXXX")"
  for f in "${KWOK_CRD_FILES[@]}"; do
    cp "$dir/kustomize/crd/bases/$f" "$tmp/" || { rm -rf "$tmp"; go_build_die "missing $f in sigs.k8s.io/kwok@$KWOK_VERSION"; }
  done
  mkdir -p "$KWOK_CRDS"
  for f in "${KWOK_CRD_FILES[@]}"; do chmod 644 "$tmp/$f"; mv -f "$tmp/$f" "$KWOK_CRDS/"; done
  rm -rf "$tmp"
  echo "build.sh: copied kwok CRDs (${KWOK_CRD_FILES[*]}) -> $KWOK_CRDS"
}
copy_kwok_crds

echo "build.sh: done in $(go_build_elapsed "$T0")"
print_paths
