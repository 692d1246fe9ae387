#!/usr/bin/env bash
# setup-certs.sh — makes callgate's TLS server key and certificate (or a CSR for your CA).
# Same interface as setup_certs.sh of the Python ucm_name_lookup service, plus --force.
# Needs only the openssl CLI (OpenSSL 3). See docs/ucm-setup.md for the whole UCM procedure.
set -euo pipefail

readonly kProg="${0##*/}"
readonly kMaxDays=36500
readonly kMaxCnLength=64 # X.509 upper bound for commonName

hostname=""
mode="selfsigned"
out_dir="certs"
days=365
days_given=0
key_type="ecdsa"
force=0
work="" # scratch directory inside out_dir, removed on exit

Usage() {
  cat <<EOF
Usage: ${kProg} --hostname HOST [options]

Makes a private key and a TLS server certificate for callgate (or a certificate signing
request for your CA), usable by Cisco UCM as the certificate of an External Call Control
route server.

Required:
  --hostname HOST     the name or IP address UCM will use in the ECC profile URI
                      (https://HOST:PORT/curri). Becomes the certificate's CN and its
                      subjectAltName: an IP address gets an IP SAN, a name a DNS SAN.

Options:
  --mode MODE         selfsigned (default): writes server.key and server.crt
                      csr: writes server.key and server.csr, to be signed by your CA
  --out-dir DIR       where to write the files (default: certs; created if missing)
  --days N            validity of the self-signed certificate in days (default: 365)
  --key-type TYPE     ecdsa (default): ECDSA P-256
                      rsa: RSA 4096. Choose rsa for older UCM releases whose External Call
                      Control client may offer only RSA key-exchange cipher suites such as
                      TLS_RSA_WITH_AES_256_CBC_SHA (docs/ucm-setup.md, Step 1);
                      those also need "tls_legacy_ciphers: true" in callgate's config.
                      An RSA key works with every UCM release.
  --force             replace an existing server.key (otherwise the script refuses)
  -h, --help          show this help

The certificate is X.509 v3, SHA-256, keyUsage digitalSignature (plus keyEncipherment
for RSA), extendedKeyUsage serverAuth, basicConstraints CA:FALSE. The key is written
with mode 600 and is never readable by other users, not even while it is being written.

Exit status: 0 success, 1 failure (e.g. refusing to overwrite), 2 bad arguments.
EOF
}

Die() {
  echo "${kProg}: error: $*" >&2
  exit 1
}

UsageError() {
  echo "${kProg}: error: $*" >&2
  echo "Run '${kProg} --help' for usage." >&2
  exit 2
}

# NeedValue OPTION VALUE_OR_EMPTY: a missing value, or the next option taken as one, is an error.
NeedValue() {
  if [[ -z "$2" || "$2" == --* ]]; then
    UsageError "$1 needs a value"
  fi
}

# Accepts "--opt value" and "--opt=value".
ParseArgs() {
  local opt value consumed
  while [[ $# -gt 0 ]]; do
    opt="$1"
    value="${2:-}"
    consumed=2
    if [[ "${opt}" == --*=* ]]; then
      value="${opt#*=}"
      opt="${opt%%=*}"
      consumed=1
    fi
    case "${opt}" in
      -h | --help) Usage; exit 0 ;;
      --force) force=1; consumed=1 ;;
      --hostname) NeedValue "${opt}" "${value}"; hostname="${value}" ;;
      --mode) NeedValue "${opt}" "${value}"; mode="${value}" ;;
      --out-dir) NeedValue "${opt}" "${value}"; out_dir="${value}" ;;
      --days) NeedValue "${opt}" "${value}"; days="${value}"; days_given=1 ;;
      --key-type) NeedValue "${opt}" "${value}"; key_type="${value}" ;;
      -*) UsageError "unknown option: ${opt}" ;;
      *) UsageError "unexpected argument: ${opt}" ;;
    esac
    shift "${consumed}"
  done
}

IsIpv4() {
  local re='^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$' i
  [[ "$1" =~ ${re} ]] || return 1
  for i in 1 2 3 4; do
    ((10#${BASH_REMATCH[i]} <= 255)) || return 1
  done
}

# Loose on purpose: openssl parses it for real and fails with its own message.
IsIpv6() {
  [[ "$1" == *:* && "$1" =~ ^[0-9A-Fa-f:.]+$ ]]
}

IsDnsName() {
  local label='[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
  [[ "$1" =~ ^${label}(\.${label})*$ ]]
}

# Sets san_entry ("IP:..." or "DNS:...") from the validated hostname.
ValidateHostname() {
  [[ -n "${hostname}" ]] || UsageError "--hostname is required (the name or IP address in UCM's ECC profile URI)"
  hostname="${hostname#[}"
  hostname="${hostname%]}"
  if IsIpv4 "${hostname}" || IsIpv6 "${hostname}"; then
    san_entry="IP:${hostname}"
  elif [[ "${hostname}" =~ ^[0-9.]+$ ]]; then
    UsageError "--hostname '${hostname}' is not a valid IPv4 address"
  elif IsDnsName "${hostname}"; then
    san_entry="DNS:${hostname}"
  else
    UsageError "--hostname '${hostname}' is not a host name or IP address (letters, digits, '-' and '.' only; no wildcards)"
  fi
  ((${#hostname} <= kMaxCnLength)) ||
    UsageError "--hostname is ${#hostname} characters; a certificate CN holds at most ${kMaxCnLength}"
}

ValidateArgs() {
  ValidateHostname
  case "${mode}" in
    selfsigned | csr) ;;
    *) UsageError "--mode must be 'selfsigned' or 'csr', not '${mode}'" ;;
  esac
  case "${key_type}" in
    ecdsa | rsa) ;;
    *) UsageError "--key-type must be 'ecdsa' or 'rsa', not '${key_type}'" ;;
  esac
  if [[ ! "${days}" =~ ^[1-9][0-9]{0,5}$ ]] || ((days > kMaxDays)); then
    UsageError "--days must be a whole number of days from 1 to ${kMaxDays}, not '${days}'"
  fi
  [[ -n "${out_dir}" ]] || UsageError "--out-dir must not be empty"
  if [[ "${mode}" == csr && "${days_given}" == 1 ]]; then
    echo "${kProg}: note: --days is ignored in csr mode; your CA sets the validity" >&2
  fi
}

# keyEncipherment only for RSA: it is what RSA key exchange uses, and it is not a valid
# usage of an EC key (RFC 5480 section 3), which strict TLS stacks may hold against us.
WriteOpensslConfig() {
  local usage="critical,digitalSignature"
  [[ "${key_type}" == rsa ]] && usage+=",keyEncipherment"
  cat >"${work}/openssl.cnf" <<EOF
[req]
distinguished_name = dn
[dn]
[ext_server]
basicConstraints = critical,CA:FALSE
keyUsage = ${usage}
extendedKeyUsage = serverAuth
subjectAltName = ${san_entry}
subjectKeyIdentifier = hash
EOF
}

MakeKey() {
  local -a algorithm=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256
    -pkeyopt ec_param_enc:named_curve)
  if [[ "${key_type}" == rsa ]]; then
    algorithm=(-algorithm RSA -pkeyopt rsa_keygen_bits:4096)
    echo "Generating an RSA 4096 key (this takes a few seconds)..."
  fi
  openssl genpkey "${algorithm[@]}" -out "${work}/server.key" 2>"${work}/err" ||
    Die "openssl genpkey failed: $(cat "${work}/err")"
}

MakeCertOrCsr() {
  local -a request=(-new -config "${work}/openssl.cnf" -key "${work}/server.key"
    -subj "/CN=${hostname}" -sha256)
  if [[ "${mode}" == selfsigned ]]; then
    request+=(-x509 -extensions ext_server -days "${days}" -out "${work}/server.crt")
  else
    request+=(-reqexts ext_server -out "${work}/server.csr")
  fi
  openssl req "${request[@]}" 2>"${work}/err" || Die "openssl req failed: $(cat "${work}/err")"
}

# Everything is made in a scratch directory inside out_dir and then renamed into place, so
# a failure leaves no half-made files and an existing key is replaced in one step.
Generate() {
  if [[ (-e "${out_dir}/server.key" || -L "${out_dir}/server.key") && "${force}" == 0 ]]; then
    Die "${out_dir}/server.key already exists; refusing to overwrite a private key (use --force to replace it)"
  fi
  mkdir -p "${out_dir}" || Die "cannot create ${out_dir}"
  umask 077
  work="$(mktemp -d "${out_dir}/.setup-certs.XXXXXX")" || Die "cannot write in ${out_dir}"
  trap 'rm -rf "${work}"' EXIT
  WriteOpensslConfig
  MakeKey
  MakeCertOrCsr
  chmod 600 "${work}/server.key"
  chmod 644 "${work}/server.${output_ext}"
  mv -f "${work}/server.key" "${out_dir}/server.key"
  mv -f "${work}/server.${output_ext}" "${out_dir}/server.${output_ext}"
}

PrintSelfSignedSteps() {
  local crt="${out_dir}/server.crt"
  echo
  echo "Wrote ${out_dir}/server.key (private, mode 600) and ${crt}:"
  openssl x509 -in "${crt}" -noout -subject -enddate -ext subjectAltName -fingerprint -sha256 |
    sed 's/^/  /'
  cat <<EOF

Next steps (docs/ucm-setup.md has the details):
  1. Upload ${crt} to UCM: Cisco Unified OS Administration on the publisher >
     Security > Certificate Management > Upload Certificate/Certificate chain,
     Certificate Purpose "CallManager-trust". It is distributed to the subscribers.
  2. In callgate's config.yaml:
       tls_cert_file: ${crt}
       tls_key_file: ${out_dir}/server.key
     The key is readable by $(id -un) only: callgate run as another user (the systemd
     unit's 'callgate') needs it as its own: chown callgate:callgate ${out_dir}/server.key
  3. In UCM's External Call Control profile, use exactly this host in the URI:
       https://${hostname}:<listen_port>/curri
EOF
}

PrintCsrSteps() {
  cat <<EOF

Wrote ${out_dir}/server.key (private, mode 600) and ${out_dir}/server.csr:
EOF
  openssl req -in "${out_dir}/server.csr" -noout -subject | sed 's/^/  /'
  echo "  requested subjectAltName: ${san_entry}"
  if [[ -e "${out_dir}/server.crt" ]]; then
    echo
    echo "Warning: ${out_dir}/server.crt exists and does not match the new key; replace it."
  fi
  cat <<EOF

Next steps (docs/ucm-setup.md has the details):
  1. Submit ${out_dir}/server.csr to your certificate authority (server authentication).
  2. Save the signed certificate, in PEM, as ${out_dir}/server.crt (append any
     intermediate CA certificates after it).
  3. Upload the CA's root certificate (and intermediates) to UCM: Cisco Unified OS
     Administration on the publisher > Security > Certificate Management > Upload
     Certificate/Certificate chain, Certificate Purpose "CallManager-trust".
  4. In callgate's config.yaml:
       tls_cert_file: ${out_dir}/server.crt
       tls_key_file: ${out_dir}/server.key
     The key is readable by $(id -un) only: callgate run as another user (the systemd
     unit's 'callgate') needs it as its own: chown callgate:callgate ${out_dir}/server.key
  5. In UCM's External Call Control profile, use exactly this host in the URI:
       https://${hostname}:<listen_port>/curri
EOF
}

main() {
  ParseArgs "$@"
  ValidateArgs
  command -v openssl >/dev/null || Die "openssl is required but was not found in PATH"
  output_ext=crt
  [[ "${mode}" == csr ]] && output_ext=csr
  Generate
  if [[ "${mode}" == selfsigned ]]; then
    PrintSelfSignedSteps
  else
    PrintCsrSteps
  fi
}

main "$@"
