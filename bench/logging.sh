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
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

start() {  # start NAME YAML_EXTRA -> sets port (not in a subshell: pids must reach the trap)
  printf 'insecure_mode: true\nlisten_host: 127.0.0.1\nlisten_port: 0\nadmin_listen: ""\nworker_threads: 2\ncsv_file_path: %s\n%s\n' \
    "$repo/data/phone_directory.csv" "$2" > "$work/$1.yaml"
  "$build/callgate" --config "$work/$1.yaml" > "$work/$1.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q "callgate ready" "$work/$1.out" && break; sleep 0.05; done
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\) (main).*|\1|p' "$work/$1.out")
}

start info "log_level: INFO
log_dir: $work/logs"
info_port=$port
start quiet "log_level: WARNING"
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
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
info=$(echo "${results[info]}" | median)
quiet=$(echo "${results[quiet]}" | median)
echo "median: INFO with log files $info requests/s, WARNING without $quiet requests/s," \
  "ratio $(awk -v a="$info" -v b="$quiet" 'BEGIN {printf "%.2f", a / b}')"
echo "log lines written: $(cat "$work"/logs/*.log | wc -l)"
