#!/usr/bin/env bash
# The libFuzzer target for AdmissionReview and annotation parsing (fuzz/), run briefly: a crash, a sanitizer
# report or a leak fails the test, and fuzz/run.sh prints the input that caused it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$root/fuzz/run.sh" "${FUZZ_SECONDS:-15}"
