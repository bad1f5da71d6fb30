#!/usr/bin/env bash
# The primitives through the SDK (bench_primitives, Google Benchmark) next to `openssl speed` for
# the same operation and size on this machine, interleaved operation by operation and repeated;
# prints the median ratio SDK / openssl (goal: >= 0.9), and, where `openssl speed` times another
# operation (CBC streaming, RSA's bare public op), the ratio to an OpenSSL-only benchmark doing the
# SDK's operation (bench_primitives' BM_Evp*). CPU time on both sides (a shared machine inflates
# wall time unequally). ROUNDS (default 3) and BENCH_SECONDS (default 1) tune the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_primitives >/dev/null
python3 scripts/bench_primitives_vs_openssl.py build/release/bench/bench_primitives "${ROUNDS:-3}" "${BENCH_SECONDS:-1}"
