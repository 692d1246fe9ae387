#!/usr/bin/env bash
# bench/ab.sh BINARY_A BINARY_B — two callgate builds side by side: the same configuration (INFO
# with log files, as in production and bench/run.sh, plus $EXTRA_YAML), the same wrk load
# (`wrk -t2 -c16`, the found request), rounds alternating between A and B so that both see the
# same machine. Prints each round, the medians, the ratio B / A and how many rounds B won.
# To compare commits: build each, copy each build's callgate aside, then run this.
# Loopback only; stops everything it started.
set -euo pipefail
binary_a=${1:?usage: bench/ab.sh BINARY_A BINARY_B}
binary_b=${2:?usage: bench/ab.sh BINARY_A BINARY_B}
rounds=${ROUNDS:-7}
duration=${DURATION:-5}
extra=${EXTRA_YAML:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/callgate-ab-XXXXXX)
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

declare -A ports
for name in a b; do
  binary=$binary_a; [[ $name == b ]] && binary=$binary_b
  start_callgate "$name" "log_level: INFO
log_dir: $work/logs-$name
$extra" "$binary"
  ports[$name]=$port
done

declare -A results=([a]="" [b]="")
b_won=0
for round in $(seq "$rounds"); do
  order=(a b); ((round % 2 == 0)) && order=(b a)
  declare -A rps
  for name in "${order[@]}"; do
    rps[$name]=$(CURRI_MODE=found wrk -t2 -c16 -d"${duration}s" -s "$repo/bench/wrk/curri.lua" \
      "http://127.0.0.1:${ports[$name]}/curri" | awk '/Requests\/sec/ {print int($2)}')
    echo "round $round: $name ${rps[$name]} requests/s"
    results[$name]+="${rps[$name]} "
  done
  ((rps[b] > rps[a])) && b_won=$((b_won + 1))
done
a=$(echo "${results[a]}" | median)
b=$(echo "${results[b]}" | median)
echo "median: A $a requests/s, B $b requests/s, B / A $(awk -v a="$a" -v b="$b" \
  'BEGIN {printf "%.3f", b / a}'), B faster in $b_won of $rounds rounds"
