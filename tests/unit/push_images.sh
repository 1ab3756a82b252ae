#!/usr/bin/env bash
# `make push` never claims a push it did not make: without a registry, or without a container engine, it exits
# non-zero with a message saying what is missing. (The push itself: tests/images/push_pull.sh, label image.)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
failed=0
expect() { # <label> <expected message part> <command...>
  local label="$1" want="$2" out rc
  shift 2
  out="$("$@" 2>&1)"
  rc=$?
  if ((rc == 0)); then echo "FAIL $label: exit 0"; failed=1; return; fi
  if [[ "$out" != *"$want"* ]]; then echo "FAIL $label: '$want' not in: $out"; failed=1; return; fi
  echo "ok $label: $out"
}
expect "no registry" "no registry given: make image-tag=v1 image-registry=" make -s -C "$root" image-tag=v1 push
expect "bad tag" "invalid image tag" "$root/tools/images/push.sh" 'v1;rm' registry.example.com/spark
# Engines that do not answer: docker and podman on PATH that fail like clients without their daemon or storage.
fake="$(mktemp -d)"
trap 'rm -rf "$fake"' EXIT
for engine in docker podman; do
  printf '#!/bin/sh\necho "Cannot connect to the %s daemon" >&2\nexit 1\n' "$engine" >"$fake/$engine"
  chmod +x "$fake/$engine"
done
expect "no engine" "no container engine answers" env PATH="$fake:$PATH" "$root/tools/images/push.sh" v1 localhost:5000/spark
exit "$failed"
