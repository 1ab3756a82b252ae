#!/usr/bin/env bash
# Builds a fuzzer through CMake (-DSO_FUZZ=ON, clang's libFuzzer and AddressSanitizer, in its own build folder,
# .local/fuzz-build) and runs it for the given number of seconds (default 20) on a copy of its seed corpus
# (fuzz/corpus/<name>), so the committed corpus only changes when you copy new inputs in on purpose. Inputs go up
# to 1.2 MiB, with a dictionary of brackets and the target's keywords (fuzz/<target>.dict), so that deep nesting
# (the stack-overflow class) is reachable.
#   fuzz/run.sh [seconds] [admission|spark_application]
# FUZZ_RUNS=N stops after N executions instead (a long run: FUZZ_RUNS=5000000 fuzz/run.sh 0 spark_application).
# FUZZ_TIMEOUT (seconds, default 10) is how long one input may take before it counts as a hang; a long run beside
# other work on a loaded machine wants more (an input that took 10 s there ran in 0.2 s alone).
set -euo pipefail
seconds="${1:-20}"
name="${2:-admission}"
target="${name}_fuzzer"
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -d "$root/fuzz/corpus/$name" ]] || { echo "fuzz: no target '$name' (fuzz/corpus/$name)" >&2; exit 2; }
out="${FUZZ_OUT:-$root/.local/fuzz}/$name"
build="${FUZZ_BUILD:-$root/.local/fuzz-build}"
mkdir -p "$out/corpus"
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S "$root" -B "$build" "${generator[@]}" -DSO_FUZZ=ON -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
if ! log="$(cmake --build "$build" --target "$target" -j "${JOBS:-2}" 2>&1)"; then
  echo "$log" | tail -n 30
  echo "fuzz: building $target failed"
  exit 1
fi
cp -n "$root/fuzz/corpus/$name"/* "$out/corpus/" 2>/dev/null || true
limit=(-max_total_time="$seconds")
if [[ -n "${FUZZ_RUNS:-}" ]]; then limit=(-runs="$FUZZ_RUNS"); fi
start=$SECONDS
"$build/bin/$target" "${limit[@]}" -max_len=1258291 -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$out/" -dict="$root/fuzz/$target.dict" "$out/corpus" 2>&1 | tail -n 25
echo "fuzz: $target: no crash in $((SECONDS - start))s"
