#!/bin/sh
# Copies a binary and every shared library it loads (as the dynamic loader resolves them here) into a root
# filesystem, so that an image FROM scratch runs it. Fails when a library cannot be found: the build stage then
# lacks a package, and the image would not start.
#
#   collect-libs.sh <binary> <rootfs>        (in a Dockerfile stage; POSIX sh, as the stage may lack bash)
set -eu
binary="$1"
rootfs="$2"
if ldd "$binary" | grep -q "not found"; then
  echo "collect-libs: $binary: unresolved libraries:" >&2
  ldd "$binary" | grep "not found" >&2
  exit 1
fi
mkdir -p "$rootfs/usr/local/bin"
cp "$binary" "$rootfs/usr/local/bin/"
# "libx.so => /path (addr)" and the loader's own "/lib64/ld-linux-x86-64.so.2 (addr)": copy the files under
# both the resolved name and the path the loader asks for.
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
