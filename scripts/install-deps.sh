#!/usr/bin/env bash
# Installs the Debian 12 packages callgate builds, tests and benchmarks with. Idempotent: when
# every package is already installed it changes nothing and needs no network or root.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also wrk, nginx (the load generator and the ceiling) and
#                                    the tools bench/ scripts call (python3, pgrep, time)
#   scripts/install-deps.sh --fuzz   also clang-14 and libFuzzer
# The benchmarks start their own nginx on loopback: an nginx already installed (any flavour) is
# used as it is, and the system service that Debian's package starts and enables on port 80 is
# stopped and disabled again when this script installed it.
set -euo pipefail

packages=(
  build-essential cmake ninja-build
  libboost1.81-dev libssl-dev openssl
  libpugixml-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl
)
for arg in "$@"; do
  case "$arg" in
    --bench)
      packages+=(wrk python3 procps time)
      command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || packages+=(nginx-light)
      ;;
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
# Through env: sudo's env_reset would drop an exported variable, and apt would then ask questions.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"

# A web server on every interface that starts at each boot is not what `make bench` is for.
if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
  "${sudo[@]}" systemctl disable --quiet nginx.service 2>/dev/null || true
  if [[ -d /run/systemd/system ]]; then
    "${sudo[@]}" systemctl stop nginx.service || true
  elif [[ -x /etc/init.d/nginx ]]; then
    "${sudo[@]}" /etc/init.d/nginx stop >/dev/null 2>&1 || true
  fi
  echo "install-deps.sh: stopped and disabled the nginx system service (the benchmarks run their own)"
fi
