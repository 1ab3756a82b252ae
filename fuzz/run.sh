#!/usr/bin/env bash
# Builds the AdmissionReview fuzzer through CMake (-DSO_FUZZ=ON, clang's libFuzzer and AddressSanitizer, in
# its own build folder, .local/fuzz-build) and runs it for the given number of seconds (default 20) on a copy
# of the seed corpus, so the committed corpus/ only changes when you copy new inputs in on purpose. Inputs go
# up to 1.2 MiB, with a dictionary of brackets, so that deep nesting (the stack-overflow class) is reachable.
#   fuzz/run.sh [seconds]
set -euo pipefail
seconds="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${FUZZ_OUT:-$root/.local/fuzz}"
build="${FUZZ_BUILD:-$root/.local/fuzz-build}"
mkdir -p "$out/corpus"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S "$root" -B "$build" "${generator[@]}" -DSO_FUZZ=ON -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
if ! log="$(cmake --build "$build" --target admission_fuzzer -j "${JOBS:-2}" 2>&1)"; then
  echo "$log" | tail -n 30
  echo "fuzz: building the fuzzer failed"
  exit 1
fi
cp -n "$root"/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
"$build/bin/admission_fuzzer" -max_total_time="$seconds" -max_len=1258291 -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$out/" -dict="$root/fuzz/admission.dict" "$out/corpus" 2>&1 | tail -n 15
echo "fuzz: no crash in ${seconds}s"
