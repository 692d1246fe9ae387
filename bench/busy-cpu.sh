#!/usr/bin/env bash
# bench/busy-cpu.sh BUILD_DIR — what pin_worker_threads costs when another program is busy on
# one of callgate's CPUs: callgate at its defaults against callgate with pinned worker threads,
# both at INFO with log files, under callgate-loadgen's open loop (5,000 requests/s, 16
# connections), servers alternating each round; first alone, then with BUSY busy loops (default
# 1) on the first CPU callgate may run on. Prints each round's latency and errors, and the median
# p99 of each case.
# Needs two CPUs or more. Loopback only; stops everything it started.
set -euo pipefail
build=${1:?usage: bench/busy-cpu.sh BUILD_DIR}
rounds=${ROUNDS:-3}
duration=${DURATION:-8}
rate=${RATE:-5000}
busy=${BUSY:-1}
repo=$(cd "$(dirname "$0")/.." && pwd)
if (($(nproc) < 2)); then
  echo "bench/busy-cpu.sh: needs at least 2 CPUs (this process may use $(nproc))" >&2
  exit 2
fi
busy_cpu=$(taskset -pc $$ | sed 's/.*: //' | cut -d, -f1 | cut -d- -f1)
work=$(mktemp -d /tmp/callgate-busy-cpu-XXXXXX)
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

start_callgate default "log_level: INFO
log_dir: $work/logs-default"
default_port=$port
start_callgate pinned "log_level: INFO
log_dir: $work/logs-pinned
pin_worker_threads: true"
pinned_port=$port

declare -A p99s=()
measure() {  # measure CASE
  for round in $(seq "$rounds"); do
    order=(default pinned); ((round % 2 == 0)) && order=(pinned default)
    for name in "${order[@]}"; do
      port=$default_port; [[ $name == pinned ]] && port=$pinned_port
      json=$("$build/callgate-loadgen" -R "$rate" -c 16 -d "$duration" --json \
        -b "$repo/bench/xacml/found.xml" "http://127.0.0.1:$port/curri")
      errors=$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' <<< "$json")
      # "latency_us":{"p50":…,"p90":…,"p99":…,"p999":…} -> p50 p99 p99.9 (µs)
      read -r p50 p99 p999 < <(sed -n \
        's/.*"latency_us":{"p50":\([0-9.]*\),"p90":[0-9.]*,"p99":\([0-9.]*\),"p999":\([0-9.]*\).*/\1 \2 \3/p' <<< "$json")
      echo "$1, round $round: $name p50 ${p50} µs, p99 ${p99} µs, p99.9 ${p999} µs, ${errors} errors"
      p99s[$1-$name]+="$p99 "
    done
  done
}

measure alone
for _ in $(seq "$busy"); do
  taskset -c "$busy_cpu" bash -c 'while :; do :; done' &
  pids+=($!)
done
busy_case="$busy busy loop(s) on CPU $busy_cpu"
measure "$busy_case"
for case in alone "$busy_case"; do
  echo "median p99, $case: defaults $(echo "${p99s[$case-default]}" | median) µs," \
    "pin_worker_threads $(echo "${p99s[$case-pinned]}" | median) µs"
done
