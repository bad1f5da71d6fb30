#!/usr/bin/env bash
# run_interop.sh <source dir> <work dir> <cardinal-devserver> [node] [npm]
# Installs the pinned official SDK (npm ci) into <work dir> and runs interop.mjs against the devserver.
# Exit 77 (ctest: skipped) when node or npm is missing: scripts/deps.sh installs them.
set -euo pipefail
src=$1 work=$2 server=$3
node=${4:-$(command -v node || true)}
npm=${5:-$(command -v npm || true)}
if [[ -z "$node" || -z "$npm" || "$node" == *NOTFOUND* || "$npm" == *NOTFOUND* ]]; then
  echo "interop: node or npm not found (install them with scripts/deps.sh); skipping"
  exit 77
fi
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$src/interop.mjs" "$work/"
stamp="$work/node_modules/.cardinal-lock-stamp"
hash=$(sha256sum "$work/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$hash" ]]; then
  echo "interop: npm ci (official SDK) into $work"
  (cd "$work" && "$npm" ci --no-audit --no-fund)
  echo "$hash" > "$stamp"
fi
cd "$work"
exec "$node" interop.mjs "$server"
