#!/usr/bin/env bash
# ctest docs.samples: every ```cpp block of docs/*.md must compile against include/ (-fsyntax-only:
# declarations the application would define are fine).
#   check_samples.sh <c++ compiler> <source dir> <work dir>
set -euo pipefail
cxx=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
count=0 failed=0
for doc in "$src"/docs/*.md; do
  name=$(basename "$doc" .md)
  awk -v out="$work/$name" '
    /^```cpp[ \t]*$/ { n++; file = sprintf("%s_%d.cpp", out, n); printf "" > file; inside = 1; next }
    inside && /^```[ \t]*$/ { inside = 0; close(file); next }
    inside { print >> file }
  ' "$doc"
done
for f in "$work"/*.cpp; do
  [ -e "$f" ] || continue
  count=$((count + 1))
  if ! "$cxx" -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I "$src/include" "$f"; then
    echo "FAILED: $f"
    failed=$((failed + 1))
  fi
done
echo "$count C++ samples checked, $failed failed"
[ "$count" -gt 0 ] && [ "$failed" -eq 0 ]
