#!/usr/bin/env bash
# bench/soak.sh BUILD_DIR [REQUESTS] — one keep-alive connection, REQUESTS (default 1,000,000)
# CURRI requests, over plain HTTP and then over mutual TLS, as UCM does (it never closes its
# connections). Every INTERVAL seconds it prints the server's resident memory and how many
# requests it answered in that interval, read from /proc and from /health on the admin listener:
# memory must stay flat and the rate must not fall. Ends with the load client's summary
# (errors must be 0). Loopback only; stops everything it started.
set -euo pipefail
build=${1:?usage: bench/soak.sh BUILD_DIR [REQUESTS]}
requests=${2:-1000000}
interval=${INTERVAL:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
callgate=${CALLGATE:-$build/callgate}
loadgen=${LOADGEN:-$build/callgate-loadgen}
work=$(mktemp -d /tmp/callgate-soak-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bash "$repo/tests/integration/make_pki.sh" "$work/pki" >/dev/null

start_server() {  # start_server NAME EXTRA_YAML -> sets port, admin, server_pid
  local name=$1 extra=$2
  cat > "$work/$name.yaml" <<YAML
listen_host: 127.0.0.1
listen_port: 0
admin_listen: "127.0.0.1:0"
csv_file_path: $repo/data/phone_directory.csv
log_level: INFO
log_dir: $work/logs-$name
$extra
YAML
  "$callgate" --config "$work/$name.yaml" > "$work/$name.out" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 200); do grep -qs "callgate ready" "$work/$name.out" && break; sleep 0.05; done
  port=$(sed -n 's|.*listening on https\{0,1\}://127.0.0.1:\([0-9]*\) (main).*|\1|p' "$work/$name.out")
  admin=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\) (admin).*|\1|p' "$work/$name.out")
}

served() { curl -s "http://127.0.0.1:$admin/health" | grep -o '"curri_requests":[0-9]*' | cut -d: -f2; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }

soak() {  # soak NAME URL LOADGEN_ARGS...
  local name=$1 url=$2; shift 2
  echo "== $name: $requests requests on one connection"
  "$loadgen" -c 1 -n "$requests" --warmup 0 --timeout 10 -b "$repo/bench/xacml/found.xml" \
    "$@" "$url" > "$work/$name.loadgen" 2>&1 &
  local client=$! last=0 now elapsed=0
  pids+=("$client")
  printf '%8s %12s %14s %10s\n' seconds answered per_second rss_kb
  while kill -0 "$client" 2>/dev/null; do
    sleep "$interval"
    elapsed=$((elapsed + interval))
    now=$(served)
    printf '%8d %12d %14d %10d\n' "$elapsed" "$now" $(((now - last) / interval)) "$(rss_kb)"
    last=$now
  done
  wait "$client" && echo "load client: OK" || echo "load client: FAILED"
  grep -E 'requests|errors|latency' "$work/$name.loadgen" || cat "$work/$name.loadgen"
}

start_server plain "insecure_mode: true"
soak plain "http://127.0.0.1:$port/curri"

start_server mtls "tls_cert_file: $work/pki/server.crt
tls_key_file: $work/pki/server.key
clusters:
  soak:
    allowed_ips: [127.0.0.1]
    ca_file: $work/pki/ca-a.crt
    allowed_subjects: [cucm-pub.example.com]"
soak mtls "https://127.0.0.1:$port/curri" --cert "$work/pki/a-cn.crt" --key "$work/pki/a-cn.key" \
  --cacert "$work/pki/server.crt" --servername localhost
