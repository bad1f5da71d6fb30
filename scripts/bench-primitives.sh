#!/usr/bin/env bash
# The primitives through the SDK (bench_primitives, Google Benchmark) next to `openssl speed` for
# the same operation on this machine; prints the ratio SDK / openssl (goal: >= 0.8).
# Both are noisy on a shared machine: run it on an idle one, and more than once.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECONDS:-2}
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_primitives >/dev/null
./build/release/bench/bench_primitives --benchmark_format=json --benchmark_min_time="$SECS" \
  --benchmark_filter='BM_AesCbcEncrypt|BM_AesGcmSeal|BM_RsaOaep|BM_HmacSha512/16384|BM_Sha256' > build/release/bench_primitives.json 2>/dev/null

speed() {  # openssl speed value in bytes/s (or ops/s for rsa), last line of its table
  openssl speed -elapsed -seconds "$SECS" "$@" 2>/dev/null | tail -1
}
cbc2k=$(speed -evp aes-256-cbc -bytes 2048 | awk '{print $NF}')
cbc1m=$(speed -evp aes-256-cbc -bytes 1048576 | awk '{print $NF}')
gcm2k=$(speed -evp aes-256-gcm -bytes 2048 | awk '{print $NF}')
gcm1m=$(speed -evp aes-256-gcm -bytes 1048576 | awk '{print $NF}')
hmac=$(speed -hmac sha512 -bytes 16384 | awk '{print $NF}')
sha=$(speed -evp sha256 -bytes 16384 | awk '{print $NF}')
rsa=$(openssl speed -elapsed -seconds "$SECS" rsa2048 2>/dev/null | grep '^rsa 2048' | awk '{print $6, $7}')

python3 - "$cbc2k" "$cbc1m" "$gcm2k" "$gcm1m" "$hmac" "$sha" $rsa <<'PY'
import json, sys
def kb(v): return float(v.rstrip('k')) * 1000
cbc2k, cbc1m, gcm2k, gcm1m, hmac, sha = map(kb, sys.argv[1:7])
rsa_sign, rsa_verify = float(sys.argv[7]), float(sys.argv[8])
runs = {b['name']: b for b in json.load(open('build/release/bench_primitives.json'))['benchmarks']}
def bps(name): return runs[name]['bytes_per_second']
def ops(name): return 1e9 / runs[name]['real_time'] if runs[name]['time_unit'] == 'ns' else None
rows = [
  ('AES-256-CBC encrypt 2 KiB', bps('BM_AesCbcEncrypt/2048') / 1e6, cbc2k / 1e6, 'MB/s'),
  ('AES-256-CBC encrypt 1 MiB', bps('BM_AesCbcEncrypt/1048576') / 1e6, cbc1m / 1e6, 'MB/s'),
  ('AES-256-GCM seal 2 KiB', bps('BM_AesGcmSeal/2048') / 1e6, gcm2k / 1e6, 'MB/s'),
  ('AES-256-GCM seal 1 MiB', bps('BM_AesGcmSeal/1048576') / 1e6, gcm1m / 1e6, 'MB/s'),
  ('HMAC-SHA512 16 KiB', bps('BM_HmacSha512/16384') / 1e6, hmac / 1e6, 'MB/s'),
  ('SHA-256 16 KiB', bps('BM_Sha256/16384') / 1e6, sha / 1e6, 'MB/s'),
  ('RSA-2048 OAEP-SHA256 decrypt (vs private op)', ops('BM_RsaOaepDecrypt/1'), rsa_sign, 'op/s'),
  ('RSA-2048 OAEP-SHA256 encrypt (vs public op)', ops('BM_RsaOaepEncrypt/1'), rsa_verify, 'op/s'),
]
print(f"{'operation':48} {'SDK':>10} {'openssl':>10} {'unit':>5} {'ratio':>6}")
for name, sdk, ossl, unit in rows:
    print(f"{name:48} {sdk:10.1f} {ossl:10.1f} {unit:>5} {sdk / ossl:6.2f}")
PY
