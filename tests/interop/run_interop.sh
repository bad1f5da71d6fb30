#!/usr/bin/env bash
# run_interop.sh <source dir> <work dir> <node> <npm> <script.mjs> [script args...]
# Installs the pinned official SDK (npm ci) into <work dir> and runs a node script from tests/interop.
# Exit 77 (ctest: skipped) when node or npm is missing: scripts/deps.sh installs them.
set -euo pipefail
src=$1 work=$2 node=$3 npm=$4 script=$5
shift 5
if [[ -z "$node" || -z "$npm" || "$node" == *NOTFOUND* || "$npm" == *NOTFOUND* ]]; then
  echo "interop: node or npm not found (install them with scripts/deps.sh); skipping"
  exit 77
fi
mkdir -p "$work"
# One setup at a time (the interop tests may run in parallel under ctest -j); files are replaced by
# rename so that a script another test is running is never truncated under it.
exec 9>"$work/.setup-lock"
flock 9
for f in "$src/package.json" "$src/package-lock.json" "$src"/*.mjs; do
  dst="$work/$(basename "$f")"
  if ! cmp -s "$f" "$dst"; then cp "$f" "$dst.tmp" && mv -f "$dst.tmp" "$dst"; fi
done
stamp="$work/node_modules/.cardinal-lock-stamp"
hash=$(sha256sum "$work/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
  echo "interop: npm ci (official SDK) into $work"
  (cd "$work" && "$npm" ci --no-audit --no-fund)
  echo "$hash" > "$stamp"
fi
flock -u 9
cd "$work"
exec "$node" "$script" "$@"
