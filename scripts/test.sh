#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite with ctest.
#   scripts/test.sh            dev preset (Debug, warnings as errors), then the asan preset
#   CARDINAL_SKIP_ASAN=1 ...   skip the sanitizer pass (local quick runs)
#   CARDINAL_SKIP_FUZZ=1 ...   skip the fuzzing pass; CARDINAL_FUZZ_SECONDS=N sets its length
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
JOBS=$(nproc)

run_preset() {
  local preset=$1
  echo "=== preset: $preset ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$JOBS"
  ctest --preset "$preset" -j "$JOBS"
}

run_preset dev
# The primitives vector counts, for the log.
./build/dev/tests/wycheproof_tests --gtest_brief=1 | grep "^\[wycheproof\]" || true
if [ "${CARDINAL_SKIP_ASAN:-0}" != 1 ]; then
  run_preset asan
fi
# ThreadSanitizer on the concurrency tests (parallel create/share/decrypt on one SDK instance,
# concurrent exchange data creation, concurrent key store writers, concurrent token refresh).
if [ "${CARDINAL_SKIP_TSAN:-0}" != 1 ]; then
  echo "=== preset: tsan (concurrency tests) ==="
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$JOBS" --target engine_tests unit_tests facade_integration_tests cardinal-devserver
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --preset tsan -j "$JOBS" \
    -R "Concurrent|CreatesOnce|SharesOneRefresh|SharedKeysAcrossThreads"
fi
# A shared Cardinal::sdk: the CLI and the quickstart link only its exported (public) symbols.
if [ "${CARDINAL_SKIP_SHARED:-0}" != 1 ]; then
  echo "=== shared library build (public API only) ==="
  cmake --preset shared -DCARDINAL_BUILD_TESTS=OFF -DCARDINAL_BUILD_BENCH=OFF >/dev/null
  cmake --build --preset shared -j "$JOBS" --target cardinal-cli quickstart
  if nm -DC --defined-only build/shared/src/libcardinal-sdk.so | grep -qE 'cardinal::(engine|api|internal|transport)::'; then
    echo "internal symbols are exported from the shared library"; exit 1
  fi
  ./build/shared/examples/quickstart ./build/shared/tools/devserver/cardinal-devserver >/dev/null
  echo "shared library: quickstart ok"
fi
# Fuzzing: a CI-sized run of every harness when clang is present (scripts/fuzz.sh N for longer).
if [ "${CARDINAL_SKIP_FUZZ:-0}" != 1 ] && command -v clang++ >/dev/null; then
  echo "=== fuzz (${CARDINAL_FUZZ_SECONDS:-60}s per harness) ==="
  scripts/fuzz.sh "${CARDINAL_FUZZ_SECONDS:-60}"
fi
