#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite with ctest.
#   scripts/test.sh            dev preset (Debug, warnings as errors), then ASan+UBSan, TSan, fuzzing
#   CARDINAL_SKIP_ASAN=1 ...   skip the sanitizer pass (local quick runs); likewise _TSAN, _FUZZ
#   CARDINAL_FUZZ_SECONDS=N    fuzzing time per harness (default 45)
# Every preset builds in unity batches (CMakePresets.json), the single largest saving of the
# suite's time; the stage times are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
STAGES=()
stage_done() { STAGES+=("$(printf '%-28s %4d s' "$1" $((SECONDS - $2)))"); }
print_stages() {
  echo "=== stage times (total ${SECONDS} s) ==="
  printf '%s\n' "${STAGES[@]}"
}
trap print_stages EXIT

t=$SECONDS; scripts/deps.sh; stage_done deps "$t"

# run_preset PRESET [ctest arguments…]
run_preset() {
  local preset=$1; shift
  echo "=== preset: $preset ==="
  local t=$SECONDS
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  stage_done "$preset build" "$t"; t=$SECONDS
  ctest --preset "$preset" -j "$JOBS" "$@"
  stage_done "$preset tests" "$t"
}

# The whole suite, including the public-API check (package.public_symbols and
# example.quickstart_public link the CLI and the quickstart against a shared library of the same
# objects that exports only the public API).
run_preset dev
# The primitives vector counts, for the log.
./build/dev/tests/wycheproof_tests --gtest_brief=1 | grep "^\[wycheproof\]" || true
if [ "${CARDINAL_SKIP_ASAN:-0}" != 1 ]; then
  # Everything again under ASan+UBSan but the checks that do not depend on the build (Doxygen,
  # docs samples compiled on their own, the include-layer scan): they ran in the dev pass.
  run_preset asan -LE '^(docs|structure)$'
fi
# ThreadSanitizer on the concurrency tests (parallel create/share/decrypt on one SDK instance,
# concurrent exchange data creation, concurrent key store writers, concurrent token refresh).
if [ "${CARDINAL_SKIP_TSAN:-0}" != 1 ]; then
  echo "=== preset: tsan (concurrency tests) ==="
  t=$SECONDS
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$JOBS" --target concurrency_tests cardinal-devserver
  stage_done "tsan build" "$t"; t=$SECONDS
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j "$JOBS" \
    -R "Concurrent|CreatesOnce|SharesOneRefresh|SharedKeysAcrossThreads"
  stage_done "tsan tests" "$t"
fi
# Fuzzing: a CI-sized run of every harness when clang is present (scripts/fuzz.sh N for longer).
if [ "${CARDINAL_SKIP_FUZZ:-0}" != 1 ] && command -v clang++ >/dev/null; then
  echo "=== fuzz (${CARDINAL_FUZZ_SECONDS:-45}s per harness) ==="
  t=$SECONDS
  scripts/fuzz.sh "${CARDINAL_FUZZ_SECONDS:-45}"
  stage_done "fuzz (build + run)" "$t"
fi
