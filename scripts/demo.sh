#!/usr/bin/env bash
# Installs dependencies, builds (release) and runs the main demo: examples/quickstart against the
# embedded local backend (tools/devserver), which it starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target quickstart cardinal-devserver
exec ./build/release/examples/quickstart ./build/release/tools/devserver/cardinal-devserver
