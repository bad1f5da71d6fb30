#!/usr/bin/env bash
# Installs the Debian packages the project needs (idempotent; skips what is already there).
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git
  libssl-dev nlohmann-json3-dev libcurl4-openssl-dev libspdlog-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libsqlite3-dev sqlite3
  openssl ca-certificates
  doxygen
  clang libclang-rt-14-dev
  doxygen
)
# node + npm run the official SDK in the interop test (tests/interop); Debian's packages are enough.
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
