#!/usr/bin/env bash
# Builds the AdmissionReview fuzzer with clang's libFuzzer and AddressSanitizer, straight from the sources
# (no CMake build needed), and runs it for the given number of seconds (default 20) on a copy of the seed
# corpus, so the committed corpus/ only changes when you copy new inputs in on purpose.
#   fuzz/run.sh [seconds]
set -euo pipefail
seconds="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${FUZZ_OUT:-$root/.local/fuzz}"
mkdir -p "$out/corpus"
cxx="${CXX_FUZZ:-clang++}"
"$cxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address \
  -I"$root" \
  "$root/fuzz/admission_fuzzer.cc" \
  "$root/initializer/admission.cc" "$root/api/mounts.cc" "$root/initializer/mutator.cc" \
  "$root/common/base/json.cc" "$root/common/base/status.cc" "$root/common/base/base64.cc" "$root/api/name_rules.cc" \
  -lcrypto -o "$out/admission_fuzzer"
cp -n "$root"/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
"$out/admission_fuzzer" -max_total_time="$seconds" -max_len=16384 -timeout=10 -artifact_prefix="$out/" \
  -dict="$root/fuzz/admission.dict" "$out/corpus" 2>&1 | tail -n 15
echo "fuzz: no crash in ${seconds}s"
