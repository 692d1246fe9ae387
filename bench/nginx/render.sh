#!/usr/bin/env bash
# render.sh DIR HTTP_PORT [TLS_PORT CERT KEY [CLIENT_CA]] — writes an nginx config serving
# bench/xacml/found-response.xml (exact bytes) to POST /curri, into DIR (created), for
#   nginx -p DIR -c DIR/nginx.conf -e DIR/error.log
# Environment: ACCESS_LOG (default off; a file path turns the access log on), WORKERS (2),
#   CPU_AFFINITY ("" = nginx's default, workers not bound; "auto" = worker_cpu_affinity auto,
#   each worker bound to a CPU, as callgate's pin_worker_threads does),
#   TLS_PROTOCOLS (default "TLSv1.2 TLSv1.3"), TLS_CIPHERS (TLS 1.2 list, default below).
# With CLIENT_CA, clients must present a certificate signed by it (mutual TLS).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -eq 2 || $# -eq 5 || $# -eq 6 ]] ||
  { echo "usage: render.sh DIR HTTP_PORT [TLS_PORT CERT KEY [CLIENT_CA]]" >&2; exit 2; }
dir="$1" http_port="$2" tls_port="${3:-}" cert="${4:-}" key="${5:-}" client_ca="${6:-}"
# callgate's TLS 1.2 suites, in its order (src/security/tls_context.cc: Mozilla "intermediate"
# without DHE); TLS 1.3 uses OpenSSL's default suites in both servers.
default_ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:\
ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:\
ECDHE-RSA-CHACHA20-POLY1305"

mkdir -p "${dir}/tmp"
dir="$(cd "${dir}" && pwd)"
# nginx reads relative paths from its prefix (-p DIR), not from here: make them absolute.
for name in cert key client_ca; do
  if [[ -n "${!name}" ]]; then printf -v "${name}" '%s' "$(realpath -- "${!name}")"; fi
done

# Substitute @NAME@ placeholders. Values are paths, ports and cipher lists: none contains '|'.
Render() {
  sed -e "s|@DIR@|${dir}|g" -e "s|@HTTP_PORT@|${http_port}|g" -e "s|@TLS_PORT@|${tls_port}|g" \
    -e "s|@CERT@|${cert}|g" -e "s|@KEY@|${key}|g" -e "s|@ACCESS_LOG@|${ACCESS_LOG:-off}|g" \
    -e "s|@WORKERS@|${WORKERS:-2}|g" \
    -e "s|@CPU_AFFINITY_LINE@|$([[ -n "${CPU_AFFINITY:-}" ]] && echo "worker_cpu_affinity ${CPU_AFFINITY};")|g" \
    -e "s|@TLS_PROTOCOLS@|${TLS_PROTOCOLS:-TLSv1.2 TLSv1.3}|g" \
    -e "s|@TLS_CIPHERS@|${TLS_CIPHERS:-${default_ciphers}}|g" \
    -e "s|@VERIFY_CLIENT@|$([[ -n "${client_ca}" ]] && echo on || echo off)|g" \
    -e "s|@CLIENT_CA_LINE@|$([[ -n "${client_ca}" ]] && echo "ssl_client_certificate ${client_ca};")|g" \
    "$1"
}

Render "${here}/nginx.conf.in" >"${dir}/nginx.conf"
if [[ -n "${cert}" ]]; then
  Render "${here}/tls-server.conf.in" >"${dir}/tls-server.conf"
else
  echo "# no TLS listener" >"${dir}/tls-server.conf"
fi

# The body goes in verbatim between single quotes; it has no single quote, backslash or '$'
# (nginx would interpolate variables), which is checked rather than assumed.
body="$(cat "${here}/../xacml/found-response.xml")"
[[ "${body}" != *[\'\\\$]* ]] || { echo "render.sh: response has ', \\ or \$" >&2; exit 1; }
{
  echo "# POST /curri: the fixed CURRI response; HEAD (UCM's keep-alive) on any path: 200."
  echo "location = /curri {"
  echo "  return 200 '${body}';"
  echo "}"
  echo "location / {"
  echo "  return 200 '';"
  echo "}"
} >"${dir}/curri.conf"
