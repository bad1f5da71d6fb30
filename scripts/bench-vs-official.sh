#!/usr/bin/env bash
# The C++ SDK next to the official npm SDK (@icure/cardinal-sdk, installed from tests/interop's
# lock file into build/release/official-sdk-bench; its code is never committed here), on the same
# machine, in one run, each against its own local cardinal-devserver. Prints a table of ratios
# official time / C++ time (higher is better for C++) with the goals of issue 16.
#   CREATES (20), ATTACHMENT_MIB (64), DECRYPT_ENTITIES (500, official side), QUERY_ENTITIES
#   (10000: HealthElements of one patient listed and decrypted through a query, both sides) tune the run.
set -euo pipefail
cd "$(dirname "$0")/.."
CREATES=${CREATES:-20}
MIB=${ATTACHMENT_MIB:-64}
N=${DECRYPT_ENTITIES:-500}
Q=${QUERY_ENTITIES:-10000}
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_engine bench_attachment bench_sdk_ops cardinal-devserver >/dev/null
server="$PWD/build/release/tools/devserver/cardinal-devserver"
work=build/release/official-sdk-bench
mkdir -p "$work"
cp bench/official_sdk/*.mjs "$work/"
if [ -d tests/interop/node_modules/@icure/cardinal-sdk ]; then  # after `npm ci` in tests/interop
  ln -sfn "$PWD/tests/interop/node_modules" "$work/node_modules"
else
  cp tests/interop/package.json tests/interop/package-lock.json "$work/"
  (cd "$work" && { [ -d node_modules/@icure/cardinal-sdk ] || npm ci --no-audit --no-fund >/dev/null; })
fi
out=build/release/bench-vs-official
mkdir -p "$out"

echo "official SDK: decrypt ($N entities), ops ($CREATES creates, $MIB MiB attachment, query over $Q)..." >&2
(cd "$work" && node decrypt_bench.mjs "$server" "$N" | tail -1) > "$out/official_decrypt.json"
(cd "$work" && node ops_bench.mjs "$server" "$CREATES" "$MIB" "$Q" | tail -1) > "$out/official_ops.json"
echo "C++ SDK: bench_engine, bench_sdk_ops, bench_attachment..." >&2
# The SDK's own path: get, bulk get and query pages decrypt the parsed answer in place
# (SdkCore::decrypt(Json&&)); the copying variant (Decrypt10kEntities…) measures a copy the SDK
# does not make. The official side decrypts entities it already holds.
./build/release/bench/bench_engine --benchmark_filter='Decrypt10kOwned' --benchmark_format=json 2>/dev/null > "$out/cpp_engine.json"
CARDINAL_BENCH_QUERY_ENTITIES="$Q" ./build/release/bench/bench_sdk_ops "$CREATES" | tail -1 > "$out/cpp_ops.json"
./build/release/bench/bench_attachment "$MIB" > "$out/cpp_attachment.txt"

python3 - "$out" "$MIB" <<'PY'
import json, re, sys
out, mib = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{out}/{name}"))
od, oo, co = load("official_decrypt.json"), load("official_ops.json"), load("cpp_ops.json")
engine = load("cpp_engine.json")["benchmarks"][0]
entities = engine.get("entities", 10000)
# Wall time per entity, the 100 RSA openings of a cold cache included (the official side is warm).
cpp_decrypt_us = engine["real_time"] * {"ms": 1e3, "us": 1.0, "ns": 1e-3}[engine["time_unit"]] / entities
att = open(f"{out}/cpp_attachment.txt").read()
up_s, down_s = map(float, re.search(r"upload ([0-9.e+-]+) s .*download ([0-9.e+-]+) s", att).groups())
rows = [
    ("decrypt per entity", od["decryptPerEntityMicroseconds"] / 1e3, cpp_decrypt_us / 1e3, "200x"),
    ("create + share with 3 delegates", oo["createShareMs"], co["createShareMs"], "50x"),
    ("sign-in (existing keys)", oo["signInMs"], co["signInMs"], "-"),
    (f"attachment {mib} MiB upload", oo["uploadMs"], up_s * 1e3, "-"),
    (f"attachment {mib} MiB download", oo["downloadMs"], down_s * 1e3, "-"),
    (f"list + decrypt {co['queryEntities']} (query)", oo["queryListDecryptMs"], co["queryListDecryptMs"], "20x"),
]
print(f"{'operation':36} {'official ms':>12} {'C++ ms':>10} {'ratio':>9} {'goal':>6}")
for name, o, c, goal in rows:
    print(f"{name:36} {o:12.3f} {c:10.3f} {o / c:8.1f}x {goal:>6}")
PY
