#!/usr/bin/env bash
# The native controller image (no Java) and the initializer image take the example app with a ConfigMap mount to
# COMPLETED against the local API server: tests/e2e/operator_mounts.sh with the images in place of the binaries.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SO_BIN_DIR="$here/bin" SO_CONTROLLER_VARIANT=-native SO_CONTROLLER_FLAGS=--submitter=native \
  exec "$here/../e2e/operator_mounts.sh"
