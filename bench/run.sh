#!/usr/bin/env bash
# bench/run.sh BUILD_DIR — callgate against nginx serving the same fixed CURRI response, side by
# side on this machine, plus the micro-benchmarks. `make bench` runs it. Prints a summary table
# with callgate / nginx ratios and writes it, with the machine, the date and the exact commands,
# to BUILD_DIR/bench-results.md. See bench/README.md for what each figure means.
#
# Knobs (environment): ROUNDS (3) alternating rounds per comparison, DURATION (5) seconds per
# round, CONNECTIONS (16), RATE (5000) requests/s of the fixed-rate latency run, CPU_REQUESTS
# (200000) requests per server-CPU measurement, WRK_THREADS (2),
# LOADGEN_THREADS (2), TLS_VERSION ("" = negotiate, or 1.2 / 1.3), MICRO (1; 0 skips the
# micro-benchmarks), MICRO_REPETITIONS (3), MICRO_MIN_TIME (0.2 s), MICRO_FILTER (regex),
# CSV (the directory callgate loads; default data/phone_directory.csv), DIRECTORY_ROWS (N:
# callgate loads an N-row directory from bench/gen_directory.py instead, see MakeDirectory),
# CALLGATE and LOADGEN (the binaries; default BUILD_DIR/callgate, BUILD_DIR/callgate-loadgen).
#
# Every process it starts is stopped on exit, failure, Ctrl-C or SIGTERM. Ports are picked free
# at run time. The load generators share the machine's cores with the servers.
set -euo pipefail

kRepo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly kRepo
readonly kBench="${kRepo}/bench"
readonly kFoundBody="${kBench}/xacml/found.xml"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5}"
CONNECTIONS="${CONNECTIONS:-16}"
RATE="${RATE:-5000}"
CPU_REQUESTS="${CPU_REQUESTS:-200000}"
WRK_THREADS="${WRK_THREADS:-2}"
LOADGEN_THREADS="${LOADGEN_THREADS:-2}"
TLS_VERSION="${TLS_VERSION:-}"
MICRO="${MICRO:-1}"
MICRO_REPETITIONS="${MICRO_REPETITIONS:-3}"
MICRO_MIN_TIME="${MICRO_MIN_TIME:-0.2}"
MICRO_FILTER="${MICRO_FILTER:-}"
CSV="${CSV:-${kRepo}/data/phone_directory.csv}"

build="" work="" loadgen="" callgate="" load_start=""
declare -a pids=()       # every background process this script started
declare -a rows=()       # summary table rows (markdown)
declare -a notes=()      # warnings to show under the table
declare -A url=()        # server name -> URL
declare -A server_pid=() # URL -> the pid of the server process behind it (nginx: its master)

Log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
Die() {
  echo "bench/run.sh: $*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Processes and clean-up

Cleanup() {
  local status=$? pid i
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[i]}"
    kill -TERM "${pid}" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
  done
  if [[ -n "${work}" && -d "${work}" ]]; then
    if ((status == 130 || status == 143)); then
      echo "bench/run.sh: interrupted; every process it started is stopped" >&2
    elif ((status != 0)) && [[ -n "${build}" ]]; then
      mkdir -p "${build}/bench-logs"
      (cd "${work}" && find . -maxdepth 3 -name '*.log' -exec cp --parents {} "${build}/bench-logs/" \;)
      echo "bench/run.sh: failed (status ${status}); server logs in ${build}/bench-logs" >&2
    fi
    rm -rf "${work}"
  fi
  exit "${status}"
}

# StartBackground NAME COMMAND...: runs COMMAND with output to WORK/NAME.log; sets `started`.
StartBackground() {
  local name="$1"
  shift
  "$@" >"${work}/${name}.log" 2>&1 &
  started=$!
  pids+=("${started}")
}

FreePort() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port
  while :; do  # no python: a random high port that nothing answers on
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null || { echo "${port}"; return; }
  done
}

# WaitHttp URL [CURL_ARGS...]: until HEAD URL answers 200 (10 s at most).
WaitHttp() {
  local target="$1"
  shift
  for _ in $(seq 100); do
    [[ "$(curl -sk -o /dev/null -w '%{http_code}' -I --max-time 1 "$@" "${target}" || true)" == 200 ]] &&
      return 0
    sleep 0.1
  done
  return 1
}

# Record COMMAND...: notes a command line for the results file. A file, not an array, because
# the measurements run in subshells.
Record() {
  local line="$*"
  line="${line//${work}/WORK}"
  echo "${line//${kRepo}\//}" >>"${work}/commands"
}

# ---------------------------------------------------------------------------------------------
# Servers

MakePki() {
  local pki="${work}/pki"
  if [[ -x "${kRepo}/tests/integration/make_pki.sh" ]]; then
    "${kRepo}/tests/integration/make_pki.sh" "${pki}" >/dev/null
    return
  fi
  # The subset of make_pki.sh's files this script uses: an ECDSA P-256 server certificate for
  # 127.0.0.1, a CA and a client certificate CN=cucm-pub.example.com signed by it.
  mkdir -p "${pki}"
  (
    cd "${pki}"
    local ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -sha256 -days 30)
    openssl req -x509 "${ec[@]}" -keyout server.key -out server.crt -subj /CN=localhost \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -addext basicConstraints=critical,CA:FALSE
    openssl req -x509 "${ec[@]}" -keyout ca-a.key -out ca-a.crt -subj "/CN=callgate bench CA"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout a-cn.key \
      -out a-cn.csr -subj "/C=US/O=Example Corp/OU=Voice/CN=cucm-pub.example.com"
    openssl x509 -req -in a-cn.csr -CA ca-a.crt -CAkey ca-a.key -CAcreateserial -days 30 \
      -sha256 -out a-cn.crt
  ) >/dev/null 2>&1 || Die "openssl could not make the test certificates"
}

# DIRECTORY_ROWS=N: a generated N-row directory (1% prefix rows) with the rows of CSV merged in
# (theirs win), so the request bodies still find Ada Lovelace and the +1408 / +1212 prefixes.
MakeDirectory() {
  [[ -n "${DIRECTORY_ROWS:-}" ]] || return 0
  local generator="${kBench}/gen_directory.py" big="${work}/directory.csv"
  [[ -f "${generator}" ]] || Die "DIRECTORY_ROWS needs ${generator}"
  Log "generating a ${DIRECTORY_ROWS}-row directory"
  Record python3 "${generator}" --rows "${DIRECTORY_ROWS}" --prefixes "$((DIRECTORY_ROWS / 100))"
  python3 "${generator}" --rows "${DIRECTORY_ROWS}" --prefixes "$((DIRECTORY_ROWS / 100))" |
    awk -F, 'NR == FNR { if (FNR > 1) sample[$1] = 1; next } FNR == 1 || !($1 in sample)' \
      "${CSV}" - >"${big}"
  tail -n +2 "${CSV}" >>"${big}"
  CSV="${big}"
}

# StartNginx NAME ACCESS_LOG [tls] [WORKERS] [AFFINITY]: nginx with the fixed response and
# WORKERS worker processes (default 2), each bound to a CPU when AFFINITY is "auto"; sets
# url[NAME] (and url[NAME-tls] with a mutual-TLS listener).
StartNginx() {
  local name="$1" access_log="$2" tls="${3:-}" workers="${4:-2}" affinity="${5:-}"
  local dir="${work}/$1" pki="${work}/pki"
  local http_port tls_port
  http_port="$(FreePort)"
  local args=("${dir}" "${http_port}")
  if [[ -n "${tls}" ]]; then
    tls_port="$(FreePort)"
    args+=("${tls_port}" "${pki}/server.crt" "${pki}/server.key" "${pki}/ca-a.crt")
  fi
  ACCESS_LOG="${access_log}" WORKERS="${workers}" CPU_AFFINITY="${affinity}" \
    "${kBench}/nginx/render.sh" "${args[@]}"
  StartBackground "${name}" nginx -p "${dir}" -c "${dir}/nginx.conf" -e "${dir}/error.log"
  Record "ACCESS_LOG=${access_log} WORKERS=${workers} CPU_AFFINITY=${affinity}" \
    bench/nginx/render.sh "${args[@]}"
  Record nginx -p "${dir}" -c "${dir}/nginx.conf" -e "${dir}/error.log"
  url["${name}"]="http://127.0.0.1:${http_port}/curri"
  server_pid["${url[${name}]}"]="${started}"
  WaitHttp "${url[${name}]}" || Die "nginx (${name}) did not start: $(cat "${dir}/error.log")"
  [[ -z "${tls}" ]] && return 0
  url["${name}-tls"]="https://127.0.0.1:${tls_port}/curri"
  server_pid["${url[${name}-tls]}"]="${started}"
  WaitHttp "${url[${name}-tls]}" --cert "${pki}/a-cn.crt" --key "${pki}/a-cn.key" ||
    Die "nginx (${name}) TLS listener did not start: $(cat "${dir}/error.log")"
}

# StartCallgate NAME TEMPLATE [THREADS] [pin]: renders bench/configs/TEMPLATE (adding
# worker_threads: THREADS when given, the templates leave it at its default, one per allowed CPU; and
# pin_worker_threads: true with "pin") and starts build/callgate with it; sets url[NAME] from its
# "listening on URL" line. Returns 1 (with a note) when it does not start.
StartCallgate() {
  local name="$1" config="${work}/$1.yaml" logs="${work}/$1-logs" line="" threads="${3:-}"
  local pin="${4:-}"
  mkdir -p "${logs}"
  sed -e "s|@CSV@|${CSV}|g" -e "s|@LOG_DIR@|${logs}|g" -e "s|@PKI@|${work}/pki|g" \
    "${kBench}/configs/$2" >"${config}"
  [[ -n "${threads}" ]] && echo "worker_threads: ${threads}" >>"${config}"
  [[ "${pin}" == pin ]] && echo "pin_worker_threads: true" >>"${config}"
  # LOG_LEVEL would override the config's INFO (and hide the "listening on" line).
  StartBackground "${name}" env -u LOG_LEVEL -u CONFIG_FILE "${callgate}" --config "${config}"
  Record "${CALLGATE:-${build}/callgate}" --config "${config}" "  # from bench/configs/$2" \
    "${threads:+with worker_threads: ${threads}}" "${pin:+with pin_worker_threads: true}"
  local pid="${started}"
  for _ in $(seq 150); do
    line="$(grep -m1 -o 'listening on https\?://[^ ]*' "${work}/${name}.log" || true)"
    [[ -n "${line}" ]] && break
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "${line}" ]]; then
    notes+=("callgate (${name}) did not start: $(tail -n 3 "${work}/${name}.log" | tr '\n' ' ')")
    return 1
  fi
  url["${name}"]="${line#listening on }"
  url["${name}"]="${url[${name}]%/}/curri"
  server_pid["${url[${name}]}"]="${pid}"
}

# ---------------------------------------------------------------------------------------------
# Measurements. Each prints "RPS P99_MS ERRORS CLIENT_LAG_P99_MS" for one run.

Wrk() {
  local target="$1" out
  local cmd=(wrk "-t${WRK_THREADS}" "-c${CONNECTIONS}" "-d${DURATION}s" --latency
    -s "${kBench}/wrk/curri.lua" "${target}")
  Record "CURRI_MODE=found ${cmd[*]}"
  out="$(CURRI_MODE=found "${cmd[@]}" 2>&1 || true)"
  awk '/^curri-result/ {
         for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
         printf "%s %.3f %d 0\n", v["rps"], v["p99_us"] / 1000, v["non200"] + v["socket_errors"]
         found = 1
       }
       END { if (!found) print "0 0 1 0" }' <<<"${out}"
}

# Loadgen TARGET ARGS...: one callgate-loadgen run (JSON) against TARGET.
Loadgen() {
  local target="$1" out
  shift
  local cmd=("${loadgen}" -c "${CONNECTIONS}" -d "${DURATION}" --warmup 1 -b "${kFoundBody}"
    --json "$@" "${target}")
  Record "${cmd[*]}"
  out="$("${cmd[@]}" 2>&1 || true)"
  local rps p99 errors lag
  rps="$(sed -n 's/.*"requests_per_s":\([0-9.]*\).*/\1/p' <<<"${out}")"
  lag="$(sed -n 's/.*"client_lag_us":{"p50":[0-9.]*,"p99":\([0-9.]*\).*/\1/p' <<<"${out}")"
  p99="$(sed -n 's/.*"latency_us":{[^}]*"p99":\([0-9.]*\).*/\1/p' <<<"${out}")"
  errors="$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' <<<"${out}")"
  [[ -n "${rps}" ]] || { echo "0 0 1 0"; return; }
  awk -v r="${rps}" -v p="${p99}" -v e="${errors}" -v l="${lag:-0}" \
    'BEGIN { printf "%s %.3f %d %.3f\n", r, p / 1000, e, l / 1000 }'
}

# CpuTicks PID: user + system clock ticks of PID and its child processes (nginx's workers).
CpuTicks() {
  local pid total=0 utime stime
  for pid in "$1" $(pgrep -P "$1" || true); do
    read -r utime stime < <(awk '{ print $14, $15 }' "/proc/${pid}/stat" 2>/dev/null || echo 0 0)
    total=$((total + utime + stime))
  done
  echo "${total}"
}

# ServerCpu TARGET ARGS...: CPU_REQUESTS closed-loop requests with callgate-loadgen; prints the
# server's CPU time per request in microseconds (user + system, from /proc/PID/stat) where
# Loadgen prints requests/s: what a request costs the server, whatever the client costs.
ServerCpu() {
  local target="$1" before after out
  shift
  local cmd=("${loadgen}" -c "${CONNECTIONS}" -n "${CPU_REQUESTS}" --warmup 0 -b "${kFoundBody}"
    --json "$@" "${target}")
  Record "${cmd[*]}  # and /proc/PID/stat of the server before and after"
  before="$(CpuTicks "${server_pid[${target}]}")"
  out="$("${cmd[@]}" 2>&1 || true)"
  after="$(CpuTicks "${server_pid[${target}]}")"
  local errors
  errors="$(sed -n 's/.*"errors":\([0-9]*\).*/\1/p' <<<"${out}")"
  awk -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" -v n="${CPU_REQUESTS}" \
    -v e="${errors:-1}" 'BEGIN { printf "%.2f 0 %d 0\n", t * 1e6 / hz / n, e }'
}

Median() {  # Median "VALUE VALUE ...": the middle value, or the mean of the two middle ones
  tr -s ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2];
          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Compare LABEL FUNCTION SERVERS -- ARGS...: ROUNDS rounds, the servers' order alternating each
# round; sets med_rps[S], med_p99[S], med_lag[S], errors[S] for each server S (URL: url[S]).
declare -A med_rps=() med_p99=() med_lag=() errors=()
Compare() {
  local label="$1" fn="$2" round s
  shift 2
  local -a servers=()
  while [[ "$1" != "--" ]]; do servers+=("$1"); shift; done
  shift
  local -A all_rps=() all_p99=() all_lag=()
  for s in "${servers[@]}"; do
    errors["${s}"]=0 all_rps["${s}"]="" all_p99["${s}"]="" all_lag["${s}"]=""
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    local -a order=("${servers[@]}")
    ((round % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${servers[@]}" | tac)
    for s in "${order[@]}"; do
      local rps p99 err lag
      read -r rps p99 err lag < <("${fn}" "${url[${s}]}" "$@")
      if [[ "${fn}" == ServerCpu ]]; then
        Log "${label} round ${round}: ${s}: ${rps} µs of server CPU per request, errors ${err}"
      else
        Log "${label} round ${round}: ${s}: ${rps} requests/s, p99 ${p99} ms, errors ${err}"
      fi
      all_rps["${s}"]+=" ${rps}" all_p99["${s}"]+=" ${p99}" all_lag["${s}"]+=" ${lag}"
      errors["${s}"]=$((${errors[${s}]} + err))
    done
  done
  for s in "${servers[@]}"; do
    med_rps["${s}"]="$(Median "${all_rps[${s}]}")"
    med_p99["${s}"]="$(Median "${all_p99[${s}]}")"
    med_lag["${s}"]="$(Median "${all_lag[${s}]}")"
  done
}

# ---------------------------------------------------------------------------------------------
# The summary

LoadAverage() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

Ratio() {  # Ratio CALLGATE NGINX
  [[ "$1" == n/a || -z "$1" ]] && { echo n/a; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

TlsCost() {  # TlsCost TLS_RPS PLAIN_RPS: the share of requests/s lost to TLS, as a percentage
  awk -v t="$1" -v p="$2" 'BEGIN { if (p > 0) printf "%.0f%%", 100 * (1 - t / p); else print "n/a" }'
}
# Row MEASUREMENT NGINX CALLGATE TARGET ERRORS
Row() {
  rows+=("| $1 | $2 | $3 | $(Ratio "$3" "$2") | $4 | $5 |")
}

Fixed() {  # Fixed DECIMALS VALUE
  awk -v d="$1" -v v="$2" 'BEGIN { printf "%.*f", d, v }'
}

# AddRows LABEL NGINX_SERVER CALLGATE_SERVER RPS_TARGET P99_TARGET
AddRows() {
  local n="$2" c="$3" c_rps=n/a c_p99=n/a c_err=n/a
  if [[ -n "${c}" ]]; then
    c_rps="$(Fixed 0 "${med_rps[${c}]}")" c_p99="$(Fixed 3 "${med_p99[${c}]}")"
    c_err="${errors[${c}]}"
  fi
  Row "$1: requests/s" "$(Fixed 0 "${med_rps[${n}]}")" "${c_rps}" "$4" "${errors[${n}]} / ${c_err}"
  Row "$1: p99 ms" "$(Fixed 3 "${med_p99[${n}]}")" "${c_p99}" "$5" ""
}

MicroBenchmarks() {
  local binary out
  micro_table=""
  for binary in "${build}"/bench_* "${build}"/bench/bench_*; do
    [[ -x "${binary}" && -f "${binary}" ]] || continue
    local cmd=("${binary}" "--benchmark_repetitions=${MICRO_REPETITIONS}"
      --benchmark_display_aggregates_only=true "--benchmark_min_time=${MICRO_MIN_TIME}")
    [[ -n "${MICRO_FILTER}" ]] && cmd+=("--benchmark_filter=${MICRO_FILTER}")
    Record "${cmd[*]}"
    Log "micro-benchmarks: ${binary##*/}"
    out="$(env -u CALLGATE_BENCH_SMOKE "${cmd[@]}" 2>/dev/null)" ||
      { notes+=("${binary##*/} failed"); continue; }
    micro_table+="| **${binary##*/}** | | | |"$'\n'
    micro_table+="$(awk '$1 ~ /_median$/ { name = $1; sub(/_median$/, "", name); extra = ""
                        for (i = 7; i <= NF; i++) extra = extra " " $i
                        printf "| %s | %s %s | %s %s |%s |\n", name, $2, $3, $4, $5, extra }' \
      <<<"${out}")"$'\n'
  done
}

Report() {
  local file="${build}/bench-results.md"
  {
    echo "# callgate benchmark results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- machine: \`$(uname -a)\`, $(nproc) cores"
    echo "- load average (1/5/15 min) at start: ${load_start}; at end: $(LoadAverage)" \
      "(other work on the machine moves every figure)"
    echo "- commit: $(git -C "${kRepo}" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- settings: ROUNDS=${ROUNDS} DURATION=${DURATION}s CONNECTIONS=${CONNECTIONS}" \
      "RATE=${RATE} WRK_THREADS=${WRK_THREADS} LOADGEN_THREADS=${LOADGEN_THREADS}" \
      "TLS_VERSION=${TLS_VERSION:-negotiated} CSV=${CSV#"${kRepo}"/}" \
      "DIRECTORY_ROWS=${DIRECTORY_ROWS:-}"
    echo "- each figure is the median of ${ROUNDS} round(s); servers alternate in each round;"
    echo "  the load generators run on the same cores as the servers (see bench/README.md)"
    echo
    echo "| measurement | nginx | callgate | callgate / nginx | target | errors nginx / callgate |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    [[ -n "${tls_info:-}" ]] && { echo "TLS negotiated: ${tls_info}"; echo; }
    for note in "${notes[@]}"; do echo "- note: ${note}"; done
    ((${#notes[@]} > 0)) && echo
    if [[ -n "${micro_table:-}" ]]; then
      echo "## Micro-benchmarks (median of ${MICRO_REPETITIONS} repetitions)"
      echo
      echo "| benchmark | time | CPU | counters |"
      echo "|---|---|---|---|"
      printf '%s' "${micro_table}"
      echo
    fi
    echo "## Commands"
    echo
    echo "WORK is a temporary directory; ports are chosen free at run time."
    echo
    echo '```'
    awk '!seen[$0]++' "${work}/commands"
    echo '```'
  } >"${file}"
  cat "${file}"
  Log "written to ${file}"
}

# TlsInfo URL: "TLSv1.3 TLS_AES_256_GCM_SHA384" as negotiated with the bench client cert.
TlsInfo() {
  local hostport="${1#https://}"
  hostport="${hostport%%/*}"
  openssl s_client -connect "${hostport}" -cert "${work}/pki/a-cn.crt" -key "${work}/pki/a-cn.key" \
    -brief </dev/null 2>&1 | awk -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 }
      END { print p, c }'
}

# ---------------------------------------------------------------------------------------------

main() {
  [[ $# -eq 1 ]] || Die "usage: bench/run.sh BUILD_DIR"
  build="$(cd "$1" && pwd)" || Die "no build directory '$1'"
  loadgen="${LOADGEN:-${build}/callgate-loadgen}"
  local tool
  for tool in wrk nginx openssl curl; do
    command -v "${tool}" >/dev/null || Die "${tool} not found (scripts/install-deps.sh --bench)"
  done
  [[ -x "${loadgen}" ]] || Die "${loadgen} not built (cmake --build ${build} --target callgate-loadgen)"
  work="$(mktemp -d /tmp/callgate-bench.XXXXXX)"
  chmod 755 "${work}"  # nginx workers may run as another user
  trap Cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  load_start="$(LoadAverage)"
  ((MICRO)) && MicroBenchmarks
  MakePki
  MakeDirectory
  Log "starting nginx (access log off, on, 4 workers, pinned), callgate (plain, mTLS, 4 threads, pinned)"
  StartNginx nginx off tls
  StartNginx nginx-log "${work}/nginx-log/access.log"
  StartNginx nginx-4w off "" 4
  StartNginx nginx-pin off "" 2 auto
  local plain="" mtls="" tls_args=()
  if [[ -x "${CALLGATE:-${build}/callgate}" ]]; then
    # A copy, so that a rebuild during the run cannot change what is measured.
    callgate="${work}/callgate"
    cp "${CALLGATE:-${build}/callgate}" "${callgate}"
    StartCallgate callgate plain.yaml.in 2>/dev/null || true
    StartCallgate callgate-mtls mtls.yaml.in 2>/dev/null || true
    StartCallgate callgate-4t plain.yaml.in 4 2>/dev/null || true
    StartCallgate callgate-pin plain.yaml.in "" pin 2>/dev/null || true
  else
    notes+=("${CALLGATE:-${build}/callgate} not built: nginx only")
  fi
  [[ -n "${url[callgate]:-}" ]] && plain="callgate"
  [[ -n "${url[callgate-mtls]:-}" ]] && mtls="callgate-mtls"
  local plain4="" pinned=""
  [[ -n "${url[callgate-4t]:-}" ]] && plain4="callgate-4t"
  [[ -n "${url[callgate-pin]:-}" ]] && pinned="callgate-pin"
  [[ -n "${TLS_VERSION}" ]] && tls_args=(--tls-version "${TLS_VERSION}")
  local pki="${work}/pki"
  local mtls_args=(--cert "${pki}/a-cn.crt" --key "${pki}/a-cn.key" --cacert "${pki}/server.crt"
    -t "${LOADGEN_THREADS}" "${tls_args[@]}")

  Compare "HTTP wrk" Wrk nginx nginx-pin nginx-log nginx-4w ${plain} ${pinned} ${plain4} --
  AddRows "HTTP keep-alive, wrk -t${WRK_THREADS} -c${CONNECTIONS}" nginx "${plain}" "≥ 0.7" ""
  # Worker threads pinned to CPUs in both servers: nginx's worker_cpu_affinity auto, callgate's
  # pin_worker_threads (which also gives each connection to the worker on its receiving CPU).
  AddRows "same, both pinned (nginx worker_cpu_affinity auto, callgate pin_worker_threads)" \
    nginx-pin "${pinned}" "≥ 0.7" ""
  local plain_rps=n/a
  [[ -n "${plain}" ]] && plain_rps="$(Fixed 0 "${med_rps[${plain}]}")"
  Row "same, nginx with access log on: requests/s" "$(Fixed 0 "${med_rps[nginx-log]}")" \
    "${plain_rps}" "" \
    "${errors[nginx-log]}"
  # Twice as many workers as cores, for each server. Not a like-for-like result: extra threads
  # take CPU from the load generator on the same cores, most likely because the kernel shares a
  # busy CPU per thread (docs/performance.md, "Worker threads").
  local plain4_rps=n/a
  [[ -n "${plain4}" ]] && plain4_rps="$(Fixed 0 "${med_rps[${plain4}]}")"
  Row "same, 4 nginx workers / 4 callgate worker threads: requests/s" \
    "$(Fixed 0 "${med_rps[nginx-4w]}")" "${plain4_rps}" "" \
    "${errors[nginx-4w]} / ${errors[${plain4}]:-n/a}"
  Compare "HTTP ${RATE}/s" Loadgen nginx ${plain} -- -t 1 --rate "${RATE}"
  AddRows "HTTP open loop ${RATE} req/s, loadgen -c${CONNECTIONS}" nginx "${plain}" "" "< 1 ms"
  local plain_lag=n/a
  [[ -n "${plain}" ]] && plain_lag="$(Fixed 3 "${med_lag[${plain}]}")"
  Row "same: client lag p99 ms (load generator woke late; part of p99)" \
    "$(Fixed 3 "${med_lag[nginx]}")" "${plain_lag}" "" ""
  # Plain and mutual TLS with the same client in one comparison, so that what TLS costs is not
  # mixed up with the difference between two load generators (wrk cannot present a certificate).
  Compare "keep-alive" Loadgen nginx nginx-tls ${plain} ${mtls} -- "${mtls_args[@]}"
  AddRows "HTTP keep-alive, loadgen -t${LOADGEN_THREADS} -c${CONNECTIONS}" nginx "${plain}" "" ""
  AddRows "mTLS keep-alive, loadgen -t${LOADGEN_THREADS} -c${CONNECTIONS}" nginx-tls "${mtls}" "≥ 0.7" ""
  local tls_cost=n/a
  [[ -n "${plain}" && -n "${mtls}" ]] && tls_cost="$(TlsCost "${med_rps[${mtls}]}" "${med_rps[${plain}]}")"
  rows+=("| TLS cost: requests/s lost to mTLS, same client (1 − mTLS / HTTP) | $(TlsCost "${med_rps[nginx-tls]}" "${med_rps[nginx]}") | ${tls_cost} | | < 30% | |")
  # The same question without the client: the server's own CPU time per request. On cores of
  # its own a server's capacity is the inverse of it, so 1 − CPU(HTTP) / CPU(mTLS) is the share
  # of its capacity that TLS costs.
  Compare "server CPU" ServerCpu nginx nginx-tls ${plain} ${mtls} -- "${mtls_args[@]}"
  local cpu_plain=n/a cpu_mtls=n/a cpu_cost=n/a
  if [[ -n "${plain}" && -n "${mtls}" ]]; then
    cpu_plain="$(Fixed 2 "${med_rps[${plain}]}")" cpu_mtls="$(Fixed 2 "${med_rps[${mtls}]}")"
    cpu_cost="$(TlsCost "${med_rps[${plain}]}" "${med_rps[${mtls}]}")"
  fi
  Row "server CPU per request, HTTP keep-alive: µs (user + system)" \
    "$(Fixed 2 "${med_rps[nginx]}")" "${cpu_plain}" "" "${errors[nginx]} / ${errors[${plain}]:-n/a}"
  Row "server CPU per request, mTLS keep-alive: µs (user + system)" \
    "$(Fixed 2 "${med_rps[nginx-tls]}")" "${cpu_mtls}" "" \
    "${errors[nginx-tls]} / ${errors[${mtls}]:-n/a}"
  rows+=("| TLS cost in server capacity (1 − CPU per HTTP request / CPU per mTLS request) | $(TlsCost "${med_rps[nginx]}" "${med_rps[nginx-tls]}") | ${cpu_cost} | | < 30% | |")
  Compare "mTLS handshakes" Loadgen nginx-tls ${mtls} -- "${mtls_args[@]}" --handshakes
  AddRows "mTLS full handshakes (new connection per request)" nginx-tls "${mtls}" "" ""
  tls_info="nginx: $(TlsInfo "${url[nginx-tls]}")"
  [[ -n "${mtls}" ]] && tls_info+="; callgate: $(TlsInfo "${url[${mtls}]}")"
  Report
}

main "$@"
