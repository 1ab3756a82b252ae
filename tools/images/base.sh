#!/usr/bin/env bash
# Makes the Debian base images the Dockerfiles name, debian:<release> and debian:<release>-slim, in the local
# container storage when they cannot be pulled (these machines reach Debian's mirror but no image registry).
# debootstrap's minbase variant is what Debian's official images are built from; -slim is the same with
# documentation, man pages and locales left out by dpkg, as debuerreotype makes it. The root filesystem tarball
# is kept in the cache, so later runs take a second.
#
#   tools/images/base.sh [<release>]        # default: bookworm
# Env: SPARK_OPERATOR_CACHE (default ~/.cache/spark-operator), DEBIAN_MIRROR (default: the one apt uses here).
set -euo pipefail
# shellcheck source=../lib/checkout.bash
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checkout.bash"

release="${1:-bookworm}"
log() { echo "images/base: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[[ "$release" =~ ^[a-z]+$ ]] || die "invalid Debian release '$release'"

cache="$SO_CACHE/images"
mirror="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
  head -n1)}"
mirror="${mirror:-http://deb.debian.org/debian}"

have() { podman image exists "docker.io/library/debian:$1"; }
# A pull that cannot reach the registry fails within the timeout instead of hanging the build.
pull() { timeout 60 podman pull -q "docker.io/library/debian:$1" >/dev/null 2>&1; }

# The root filesystem of debian:<release><suffix> as a tarball in the cache.
rootfs() { # <suffix: "" or "-slim">
  local suffix="$1" tarball="$cache/debian-$release$1.tar" dir
  [[ -s "$tarball" ]] && { echo "$tarball"; return; }
  mkdir -p "$cache"
  dir="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$dir"' RETURN
  if [[ "$suffix" == -slim ]]; then
    # dpkg leaves these out of every package installed later too (debuerreotype's slim rules).
    mkdir -p "$dir/etc/dpkg/dpkg.cfg.d"
    cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG
  fi
  log "debootstrap --variant=minbase $release from $mirror (about 30 s)"
  debootstrap --variant=minbase "$release" "$dir" "$mirror" >"$cache/debootstrap-$release$suffix.log" 2>&1 ||
    die "debootstrap failed (log: $cache/debootstrap-$release$suffix.log)"
  if [[ "$suffix" == -slim ]]; then
    find "$dir/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
    rm -rf "$dir"/usr/share/{man,groff,info,lintian,linda}/* "$dir"/usr/share/locale/*/
  fi
  # What an image does not carry: downloaded packages and package lists (a Dockerfile runs apt-get update).
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/*.log
  tar -C "$dir" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  echo "$tarball"
}

for suffix in "" -slim; do
  name="debian:$release$suffix"
  if have "$release$suffix"; then continue; fi
  if pull "$release$suffix"; then log "pulled $name"; continue; fi
  tarball="$(rootfs "$suffix")"
  podman import -q --change 'CMD ["bash"]' "$tarball" "docker.io/library/$name" >/dev/null ||
    die "podman import of $tarball failed"
  log "made $name locally from debootstrap ($(du -h "$tarball" | cut -f1))"
done
