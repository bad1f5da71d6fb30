#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each for SECONDS (default 60).
#   scripts/fuzz.sh            CI-sized run
#   scripts/fuzz.sh 3600       a longer local run (corpora grow in build/fuzz/corpus/)
#   CARDINAL_FUZZ_STEP=build|run|all (default all): build only, or run the built harnesses only
#   (scripts/test.sh builds them beside the ASan tests and runs them later).
# Exits non-zero on any crash or sanitizer report; prints executions per harness.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_HARNESS=${1:-60}
STEP=${CARDINAL_FUZZ_STEP:-all}
case $STEP in build|run|all) ;; *) echo "CARDINAL_FUZZ_STEP must be build, run or all (got '$STEP')" >&2; exit 2 ;; esac
if [ "$STEP" != run ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)"
fi
[ "$STEP" != build ] || exit 0
# One harness per core at a time (each libFuzzer run is single-threaded): same time per harness,
# half the wall time on a 2-core machine.
run_harness() {
  local h=$1
  local corpus=build/fuzz/corpus/$h
  mkdir -p "$corpus"
  local log=build/fuzz/$h.log
  # JSON harnesses get the JSON dictionary (syntax and deep-nesting tokens, see tests/fuzz/json.dict).
  local dict=()
  case $h in model_json|http_response|encrypted_self|security_metadata) dict=(-dict=tests/fuzz/json.dict) ;; esac
  if ./build/fuzz/tests/fuzz/fuzz_$h -max_total_time="$SECONDS_PER_HARNESS" -max_len=8192 -timeout=20 \
      -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" "$corpus" "tests/fuzz/corpus/$h" >"$log" 2>&1; then
    local runs
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "[fuzz] $h: ${runs:-?} executions in ${SECONDS_PER_HARNESS}s, no crash"
  else
    echo "[fuzz] $h: FAILED (see $log)"
    tail -40 "$log"
    return 1
  fi
}
export -f run_harness
export SECONDS_PER_HARNESS
status=0
printf '%s\n' model_json encrypted_self security_metadata key_import http_response key_store |
  xargs -P "$(nproc)" -I{} bash -c 'run_harness "$@"' _ {} || status=1
exit $status
