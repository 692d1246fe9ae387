#!/usr/bin/env bash
# bench/logging.sh BUILD_DIR — what logging costs: callgate at INFO with log_dir (a decision line
# per request on the console and in app.log, an access.log line per request) against the same
# binary at WARNING without log_dir, under the same wrk load, servers alternating each round.
# Prints each round and the medians. Loopback only; stops everything it started.
set -euo pipefail
build=${1:?usage: bench/logging.sh BUILD_DIR}
rounds=${ROUNDS:-3}
duration=${DURATION:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/callgate-logging-XXXXXX)
# shellcheck source=bench/lib.sh
source "$repo/bench/lib.sh"

start_callgate info "worker_threads: 2
log_level: INFO
log_dir: $work/logs"
info_port=$port
start_callgate quiet "worker_threads: 2
log_level: WARNING"
quiet_port=$port

declare -A results=([info]="" [quiet]="")
for round in $(seq "$rounds"); do
  order=(info quiet); ((round % 2 == 0)) && order=(quiet info)
  for name in "${order[@]}"; do
    port=$info_port; [[ $name == quiet ]] && port=$quiet_port
    rps=$(CURRI_MODE=found wrk -t2 -c16 -d"${duration}s" -s "$repo/bench/wrk/curri.lua" \
      "http://127.0.0.1:$port/curri" | awk '/Requests\/sec/ {print int($2)}')
    echo "round $round: $name $rps requests/s"
    results[$name]+="$rps "
  done
done
info=$(echo "${results[info]}" | median)
quiet=$(echo "${results[quiet]}" | median)
echo "median: INFO with log files $info requests/s, WARNING without $quiet requests/s," \
  "ratio $(awk -v a="$info" -v b="$quiet" 'BEGIN {printf "%.2f", a / b}')"
echo "log lines written: $(cat "$work"/logs/*.log | wc -l)"
