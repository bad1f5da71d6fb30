#!/usr/bin/env bash
# Installs dependencies, builds (release) and runs the main demo.
# Until the end-to-end quickstart exists, the demo is the primitives tour.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target primitives_tour
./build/release/examples/primitives_tour
