#!/usr/bin/env bash
# The default controller image submits with the spark-submit it carries (a JVM in the container, read-only root,
# /tmp its only writable place) and takes the example app to COMPLETED: tests/e2e/operator_mounts.sh with the
# images in place of the binaries, and the controller's log showing spark-submit's run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SO_BIN_DIR="$here/bin" SO_CONTROLLER_FLAGS=--submitter=spark-submit \
  SO_EXPECT_LOG="spark-submit attempt 1 finished: exit code 0" exec "$here/../e2e/operator_mounts.sh"
