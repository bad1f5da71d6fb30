#!/usr/bin/env bash
# Installs dependencies, builds and runs the whole test suite with ctest.
#   scripts/test.sh            dev preset (Debug, warnings as errors), then ASan+UBSan, TSan, fuzzing
#   CARDINAL_SKIP_ASAN=1 ...   skip the sanitizer pass (local quick runs); likewise _TSAN, _FUZZ
#   CARDINAL_FUZZ_SECONDS=N    fuzzing time per harness (default 45)
# Every preset builds in unity batches (CMakePresets.json), the single largest saving of the
# suite's time. Test runs leave a core partly idle (processes start, the devserver waits on its
# sockets), so the next tree builds beside them: dev tests beside the ASan build, ASan tests
# beside the TSan and fuzz builds. Nothing is skipped; each side's log is printed whole when it
# ends, and the stage times at the end.
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

ASAN=1; TSAN=1; FUZZ=1
[ "${CARDINAL_SKIP_ASAN:-0}" != 1 ] || ASAN=0
[ "${CARDINAL_SKIP_TSAN:-0}" != 1 ] || TSAN=0
{ [ "${CARDINAL_SKIP_FUZZ:-0}" != 1 ] && command -v clang++ >/dev/null; } || FUZZ=0
FUZZ_SECONDS=${CARDINAL_FUZZ_SECONDS:-45}
mkdir -p build/logs

# Stage functions; each records its time. They run where `set -e` does not reach (in `||`, in
# the background), so each checks its own steps.
build_preset() {  # build_preset PRESET [cmake --build arguments…]
  local preset=$1; shift
  local t=$SECONDS
  echo "=== build: $preset ==="
  cmake --preset "$preset" >/dev/null || return
  cmake --build --preset "$preset" -j "$JOBS" "$@" || return
  stage_done "$preset build" "$t"
}
test_preset() {  # test_preset PRESET [ctest arguments…]
  local preset=$1; shift
  local t=$SECONDS
  echo "=== tests: $preset ==="
  ctest --preset "$preset" -j "$JOBS" "$@" || return
  stage_done "$preset tests" "$t"
}
# The whole suite, including the public-API check (package.public_symbols and
# example.quickstart_public link the CLI and the quickstart against a shared library of the same
# objects that exports only the public API); the primitives vector counts for the log.
dev_tests() {
  test_preset dev || return
  ./build/dev/tests/wycheproof_tests --gtest_brief=1 | grep "^\[wycheproof\]" || true
}
# Everything again under ASan+UBSan but the checks that do not depend on the build (Doxygen, docs
# samples compiled on their own, the include-layer scan): they ran in the dev pass.
asan_tests() { test_preset asan -LE '^(docs|structure)$'; }
# ThreadSanitizer on the concurrency tests (parallel create/share/decrypt on one SDK instance,
# concurrent exchange data creation, concurrent key store writers, concurrent token refresh).
tsan_build() { build_preset tsan --target concurrency_tests cardinal-devserver; }
tsan_tests() {
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" test_preset tsan \
    -R "Concurrent|CreatesOnce|SharesOneRefresh|SharedKeysAcrossThreads"
}
# Fuzzing: a CI-sized run of every harness when clang is present (scripts/fuzz.sh N for longer).
fuzz_build() { local t=$SECONDS; CARDINAL_FUZZ_STEP=build scripts/fuzz.sh || return; stage_done "fuzz build" "$t"; }
fuzz_run() {
  local t=$SECONDS
  echo "=== fuzz (${FUZZ_SECONDS}s per harness) ==="
  CARDINAL_FUZZ_STEP=run scripts/fuzz.sh "$FUZZ_SECONDS" || return
  stage_done "fuzz run" "$t"
}
# The second half of a pair: the stages after the first argument, run one after the other.
side() { local s; for s in "$@"; do "$s" || return; done; }

# beside NAME FRONT SIDE… : FRONT in the foreground, the SIDE stages meanwhile in the background
# with their output in build/logs/NAME.log (printed whole when both are done). Both halves always
# run to their end; a failure of either fails the script after both logs are out.
beside() {
  local name=$1 front=$2; shift 2
  local log=build/logs/$name.log front_rc=0 side_rc=0
  if [ $# -eq 0 ]; then "$front"; return; fi
  # The side's stage times come back through a file (a background subshell cannot add to STAGES).
  # The side runs at a lower priority: the tests in front keep the CPU they ask for.
  ( renice -n 10 -p "$BASHPID" >/dev/null 2>&1 || true
    STAGES=(); rc=0; side "$@" || rc=$?; : >"$log.stages"
    [ ${#STAGES[@]} -eq 0 ] || printf '%s\n' "${STAGES[@]}" >"$log.stages"; exit $rc ) \
    >"$log" 2>&1 &
  local pid=$!
  "$front" || front_rc=$?
  wait "$pid" || side_rc=$?
  echo "=== side stages ($*), log $log ==="
  cat "$log"
  [ -s "$log.stages" ] && mapfile -t -O "${#STAGES[@]}" STAGES <"$log.stages"
  [ "$front_rc" = 0 ] && [ "$side_rc" = 0 ]
}

build_asan() { build_preset asan; }

build_preset dev
second=(); [ $ASAN = 1 ] && second+=(build_asan)
beside dev-side dev_tests "${second[@]}"
third=(); [ $TSAN = 1 ] && third+=(tsan_build); [ $FUZZ = 1 ] && third+=(fuzz_build)
if [ $ASAN = 1 ]; then
  beside asan-side asan_tests "${third[@]}"
else
  side "${third[@]}"
fi
[ $TSAN = 0 ] || tsan_tests
[ $FUZZ = 0 ] || fuzz_run
