#!/usr/bin/env bash
# The libFuzzer target for SparkApplication manifests (YAML, then the strict reader, defaults, validation and
# writing back; fuzz/), run briefly: a crash, a sanitizer report, a leak or a write that does not read back the
# same fails the test, and fuzz/run.sh prints the input that caused it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$root/fuzz/run.sh" "${FUZZ_SECONDS:-15}" spark_application
