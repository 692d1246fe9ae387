#!/usr/bin/env bash
# Installs the Debian 12 packages callgate builds, tests and benchmarks with. Idempotent: when
# every package is already installed it changes nothing and needs no network or root.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also wrk and nginx (the load generator and the ceiling)
#   scripts/install-deps.sh --fuzz   also clang-14 and libFuzzer
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libssl-dev openssl
  libpugixml-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl
)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=(wrk nginx-light) ;;
    --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
    *) echo "install-deps.sh: unknown option '$arg' (use --bench or --fuzz)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
