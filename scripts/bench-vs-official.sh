#!/usr/bin/env bash
# The engine next to the official SDK's crypto layer on this machine: per-entity decryption of
# ~1.8 KB HealthElements (the official SDK decrypting already-fetched entities with warm caches,
# node; bench_engine's 10 000 entities through 100 exchange data, cold cache, C++).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_engine cardinal-devserver >/dev/null
work=build/release/official-sdk-bench
mkdir -p "$work"
cp tests/interop/package.json tests/interop/package-lock.json bench/official_sdk/decrypt_bench.mjs "$work/"
(cd "$work" && [ -d node_modules/@icure/cardinal-sdk ] || npm ci --no-audit --no-fund >/dev/null)
official=$(cd "$work" && node decrypt_bench.mjs "$PWD/../tools/devserver/cardinal-devserver" 500 | tail -1)
echo "official SDK: $official"
./build/release/bench/bench_engine --benchmark_filter='Decrypt10k|EncryptDecrypt2KB' 2>/dev/null | grep BM_
