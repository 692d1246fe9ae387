#!/usr/bin/env bash
# setup_certs_test.sh — tests scripts/setup-certs.sh by running it in a temporary directory and
# checking every property of what it writes with the openssl CLI; also checks the test PKI that
# tests/integration/make_pki.sh makes for the mutual-TLS integration tests.
# Prints one line per check and a last line "N passed, M failed"; exits non-zero on a failure.
# Makes one RSA 4096 key (a second or two); everything else is ECDSA.
set -uo pipefail

readonly kMakePki="${MAKE_PKI:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/make_pki.sh}"
readonly kScript="${SETUP_CERTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/setup-certs.sh}"
passed=0
failed=0
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

Pass() {
  passed=$((passed + 1))
  echo "ok   $1"
}

Fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
}

# Check NAME COMMAND...: passes when COMMAND succeeds.
Check() {
  local name="$1"
  shift
  if "$@" >/dev/null 2>&1; then Pass "${name}"; else Fail "${name}"; fi
}

# CheckOutput NAME NEEDLE COMMAND...: passes when COMMAND's stdout+stderr contains NEEDLE.
CheckOutput() {
  local name="$1" needle="$2" out
  shift 2
  out="$("$@" 2>&1)"
  if [[ "${out}" == *"${needle}"* ]]; then Pass "${name}"; else Fail "${name}: no '${needle}' in: ${out}"; fi
}

# Run DIR ARGS...: runs the script with cwd DIR; its output goes to DIR.log; returns its status.
Run() {
  local dir="$1"
  shift
  mkdir -p "${dir}"
  (cd "${dir}" && bash "${kScript}" "$@") >"${dir}.log" 2>&1
}

Text() { openssl x509 -in "$1" -noout -text; }
Has() { grep -qF -- "$2" <<<"$1"; }
Lacks() { ! grep -qF -- "$2" <<<"$1"; }
Mode() { stat -c %a "$1"; }
Not() { ! "$@"; }
WithUmask000() { (umask 000 && "$@"); }

# ValidityDays CRT: notAfter - notBefore, in whole days.
ValidityDays() {
  local start end
  start="$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)"
  end="$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)"
  echo $((($(date -ud "${end}" +%s) - $(date -ud "${start}" +%s)) / 86400))
}

SamePublicKey() {
  [[ "$(openssl pkey -in "$1" -pubout)" == "$(openssl x509 -in "$2" -noout -pubkey)" ]]
}

TestEcdsaSelfSignedDnsName() {
  local d="${tmp}/ecdsa" crt key text
  Check "ecdsa: runs" Run "${d}" --hostname curri.example.com
  crt="${d}/certs/server.crt"
  key="${d}/certs/server.key"
  text="$(Text "${crt}")"
  Check "ecdsa: writes certs/server.crt and certs/server.key" test -s "${crt}" -a -s "${key}"
  Check "ecdsa: no CSR" test ! -e "${d}/certs/server.csr"
  Check "ecdsa: key mode 600" test "$(Mode "${key}")" = 600
  Check "ecdsa: certificate mode 644" test "$(Mode "${crt}")" = 644
  Check "ecdsa: X.509 v3" Has "${text}" "Version: 3 (0x2)"
  Check "ecdsa: P-256 key" Has "${text}" "NIST CURVE: P-256"
  Check "ecdsa: SHA-256 signature" Has "${text}" "Signature Algorithm: ecdsa-with-SHA256"
  Check "ecdsa: CN is the hostname" Has "${text}" "Subject: CN = curri.example.com"
  Check "ecdsa: self-signed" Has "${text}" "Issuer: CN = curri.example.com"
  Check "ecdsa: DNS SAN" Has "${text}" "DNS:curri.example.com"
  Check "ecdsa: no IP SAN" Lacks "${text}" "IP Address:"
  Check "ecdsa: keyUsage digitalSignature" Has "${text}" "Digital Signature"
  Check "ecdsa: no keyEncipherment on an EC key" Lacks "${text}" "Key Encipherment"
  Check "ecdsa: EKU serverAuth" Has "${text}" "TLS Web Server Authentication"
  Check "ecdsa: CA:FALSE" Has "${text}" "CA:FALSE"
  Check "ecdsa: default validity 365 days" test "$(ValidityDays "${crt}")" = 365
  Check "ecdsa: key matches certificate" SamePublicKey "${key}" "${crt}"
  Check "ecdsa: verifies as a TLS server for its name" openssl verify -CAfile "${crt}" \
    -purpose sslserver -verify_hostname curri.example.com "${crt}"
  Check "ecdsa: does not verify for another name" \
    Not openssl verify -CAfile "${crt}" -verify_hostname other.example.com "${crt}"
  CheckOutput "ecdsa: next steps name CallManager-trust" "CallManager-trust" cat "${d}.log"
  CheckOutput "ecdsa: next steps name tls_key_file" "tls_key_file: certs/server.key" cat "${d}.log"
  TestRefusesToOverwrite "${d}"
}

# Runs again in the directory of TestEcdsaSelfSignedDnsName, without and then with --force.
TestRefusesToOverwrite() {
  local d="$1" before
  before="$(sha256sum "${d}/certs/server.key")"
  Check "overwrite: refused without --force" Not Run "${d}" --hostname x.example.com
  CheckOutput "overwrite: error names --force" "--force" cat "${d}.log"
  Check "overwrite: key unchanged" test "$(sha256sum "${d}/certs/server.key")" = "${before}"
  Check "overwrite: certificate unchanged" Has "$(Text "${d}/certs/server.crt")" "CN = curri.example.com"
  Check "overwrite: --force replaces" Run "${d}" --hostname x.example.com --force
  Check "overwrite: new key" test "$(sha256sum "${d}/certs/server.key")" != "${before}"
  Check "overwrite: new certificate" Has "$(Text "${d}/certs/server.crt")" "CN = x.example.com"
  Check "overwrite: new pair matches" SamePublicKey "${d}/certs/server.key" "${d}/certs/server.crt"
  Check "overwrite: no scratch files left" test -z "$(find "${d}/certs" -mindepth 1 ! -name 'server.*')"
}

# The only RSA key of the run. umask 000 checks that the key is private whatever the umask.
TestRsaSelfSignedIp() {
  local d="${tmp}/rsa" crt key text
  Check "rsa: runs" WithUmask000 Run "${d}" --hostname 10.1.1.50 \
    --key-type rsa --days 30 --out-dir out
  crt="${d}/out/server.crt"
  key="${d}/out/server.key"
  text="$(Text "${crt}")"
  Check "rsa: key mode 600 under umask 000" test "$(Mode "${key}")" = 600
  Check "rsa: 4096-bit key" Has "${text}" "Public-Key: (4096 bit)"
  Check "rsa: SHA-256 signature" Has "${text}" "sha256WithRSAEncryption"
  Check "rsa: CN is the IP address" Has "${text}" "Subject: CN = 10.1.1.50"
  Check "rsa: IP SAN" Has "${text}" "IP Address:10.1.1.50"
  Check "rsa: no DNS SAN" Lacks "${text}" "DNS:"
  Check "rsa: keyUsage digitalSignature, keyEncipherment" Has "${text}" \
    "Digital Signature, Key Encipherment"
  Check "rsa: EKU serverAuth" Has "${text}" "TLS Web Server Authentication"
  Check "rsa: --days 30 honoured" test "$(ValidityDays "${crt}")" = 30
  Check "rsa: verifies as a TLS server for its IP" openssl verify -CAfile "${crt}" \
    -purpose sslserver -verify_ip 10.1.1.50 "${crt}"
  Check "rsa: key matches certificate" SamePublicKey "${key}" "${crt}"
}

TestCsrMode() {
  local d="${tmp}/csr" csr text
  Check "csr: runs (--opt=value form)" Run "${d}" --hostname=curri.example.com --mode=csr
  csr="${d}/certs/server.csr"
  text="$(openssl req -in "${csr}" -noout -text 2>&1)"
  Check "csr: writes server.csr" test -s "${csr}"
  Check "csr: no certificate" test ! -e "${d}/certs/server.crt"
  Check "csr: key mode 600" test "$(Mode "${d}/certs/server.key")" = 600
  Check "csr: signature verifies" openssl req -in "${csr}" -noout -verify
  Check "csr: CN is the hostname" Has "${text}" "Subject: CN = curri.example.com"
  Check "csr: requests the DNS SAN" Has "${text}" "DNS:curri.example.com"
  Check "csr: requests serverAuth" Has "${text}" "TLS Web Server Authentication"
  Check "csr: SHA-256" Has "${text}" "ecdsa-with-SHA256"
  Check "csr: key matches request" \
    test "$(openssl pkey -in "${d}/certs/server.key" -pubout)" = \
    "$(openssl req -in "${csr}" -noout -pubkey)"
  CheckOutput "csr: next steps say to save server.crt" "certs/server.crt" cat "${d}.log"
}

# ExpectUsageError NAME NEEDLE ARGS...: exit status 2, NEEDLE in the message, nothing written.
ExpectUsageError() {
  local name="$1" needle="$2" d="${tmp}/bad${RANDOM}" status=0
  shift 2
  Run "${d}" "$@" || status=$?
  Check "${name}: exit status 2" test "${status}" = 2
  CheckOutput "${name}: message" "${needle}" cat "${d}.log"
  Check "${name}: writes nothing" test -z "$(ls -A "${d}")"
}

TestBadArguments() {
  ExpectUsageError "no --hostname" "--hostname is required" --mode selfsigned
  ExpectUsageError "--hostname without value" "--hostname needs a value" --hostname --mode csr
  ExpectUsageError "bad --mode" "--mode must be" --hostname x.example.com --mode pkcs12
  ExpectUsageError "bad --key-type" "--key-type must be" --hostname x.example.com --key-type dsa
  ExpectUsageError "bad --days" "--days must be" --hostname x.example.com --days 0
  ExpectUsageError "non-numeric --days" "--days must be" --hostname x.example.com --days 1y
  ExpectUsageError "bad IPv4" "not a valid IPv4 address" --hostname 10.1.1.256
  ExpectUsageError "bad host name" "not a host name" --hostname 'bad/name'
  ExpectUsageError "wildcard name (UCM refuses them)" "no wildcards" --hostname '*.example.com'
  ExpectUsageError "unknown option" "unknown option: --bogus" --hostname x.example.com --bogus
  CheckOutput "--help mentions RSA for legacy UCM ciphers" "tls_legacy_ciphers" \
    bash "${kScript}" --help
  Check "--help exits 0" bash "${kScript}" --help
}

# VerifyClient CA CRT [EXTRA...]: CRT chains to CA for TLS client use.
VerifyClient() {
  local ca="$1" crt="$2"
  shift 2
  openssl verify -CAfile "${ca}" -purpose sslclient "$@" "${crt}"
}

Subject() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253; }

TestMakePkiFiles() {
  local p="$1" f missing=""
  for f in server server-rsa server2 ca-a ca-a-int ca-b a-cn a-dns a-ip a-int a-wrong \
    a-expired b-cn selfsigned leaf-as-ca; do
    [[ -s "${p}/${f}.crt" && -s "${p}/${f}.key" ]] || missing+=" ${f}"
  done
  Check "pki: every NAME.crt and NAME.key${missing}" test -z "${missing}"
  Check "pki: bundles" test -s "${p}/a-int-chain.crt" -a -s "${p}/ca-a-chain.pem" \
    -a -s "${p}/server-trust.pem"
  Check "pki: keys mode 600" test -z "$(find "${p}" -name '*.key' ! -perm 600)"
  Check "pki: no scratch left" test -z "$(find "${p}" -mindepth 1 -name '.*')"
}

TestMakePkiServers() {
  local p="$1" name
  for name in server server-rsa server2; do
    Check "pki: ${name} for localhost" openssl verify -CAfile "${p}/server-trust.pem" \
      -purpose sslserver -verify_hostname localhost "${p}/${name}.crt"
    Check "pki: ${name} for 127.0.0.1" openssl verify -CAfile "${p}/${name}.crt" \
      -verify_ip 127.0.0.1 "${p}/${name}.crt"
    Check "pki: ${name} for ::1" openssl verify -CAfile "${p}/${name}.crt" -verify_ip ::1 \
      "${p}/${name}.crt"
  done
  Check "pki: server is P-256" Has "$(Text "${p}/server.crt")" "NIST CURVE: P-256"
  Check "pki: server-rsa is RSA 2048" Has "$(Text "${p}/server-rsa.crt")" "Public-Key: (2048 bit)"
  Check "pki: server2 CN" test "$(Subject "${p}/server2.crt")" = "subject=CN=callgate-reloaded"
}

TestMakePkiCas() {
  local p="$1"
  Check "pki: ca-a is CA:TRUE" Has "$(Text "${p}/ca-a.crt")" "CA:TRUE"
  Check "pki: ca-a-int is CA:TRUE, pathlen:0" Has "$(Text "${p}/ca-a-int.crt")" "CA:TRUE, pathlen:0"
  Check "pki: ca-a-int signed by A" openssl verify -CAfile "${p}/ca-a.crt" "${p}/ca-a-int.crt"
  Check "pki: ca-b independent of A" Not openssl verify -CAfile "${p}/ca-a.crt" "${p}/ca-b.crt"
  Check "pki: leaf-as-ca is CA:FALSE" Has "$(Text "${p}/leaf-as-ca.crt")" "CA:FALSE"
  Check "pki: leaf-as-ca anchors nothing" Not VerifyClient "${p}/leaf-as-ca.crt" "${p}/a-cn.crt"
}

TestMakePkiClients() {
  local p="$1" name
  for name in a-cn a-dns a-ip a-wrong; do
    Check "pki: ${name} is a client of A" VerifyClient "${p}/ca-a.crt" "${p}/${name}.crt"
  done
  Check "pki: a-cn subject" Has "$(Subject "${p}/a-cn.crt")" "CN=cucm-pub.example.com"
  Check "pki: a-cn has no SAN" Lacks "$(Text "${p}/a-cn.crt")" "Subject Alternative Name"
  Check "pki: a-dns SAN" Has "$(Text "${p}/a-dns.crt")" "DNS:cucm-sub1.example.com"
  Check "pki: a-ip SAN" Has "$(Text "${p}/a-ip.crt")" "IP Address:10.1.1.10"
  Check "pki: a-wrong subject" test "$(Subject "${p}/a-wrong.crt")" = "subject=CN=intruder.example.com"
  Check "pki: a-int needs its intermediate" Not VerifyClient "${p}/ca-a.crt" "${p}/a-int.crt"
  Check "pki: a-int with chain" VerifyClient "${p}/ca-a.crt" "${p}/a-int.crt" \
    -untrusted "${p}/a-int-chain.crt"
  Check "pki: a-int with ca-a-chain.pem" VerifyClient "${p}/ca-a-chain.pem" "${p}/a-int.crt"
  CheckOutput "pki: a-expired is expired" "certificate has expired" \
    VerifyClient "${p}/ca-a.crt" "${p}/a-expired.crt"
  Check "pki: a-expired otherwise valid" VerifyClient "${p}/ca-a.crt" "${p}/a-expired.crt" \
    -no_check_time
  Check "pki: b-cn not from A" Not VerifyClient "${p}/ca-a.crt" "${p}/b-cn.crt"
  Check "pki: b-cn from B" VerifyClient "${p}/ca-b.crt" "${p}/b-cn.crt"
  Check "pki: b-cn subject" test "$(Subject "${p}/b-cn.crt")" = "subject=CN=cucm-pub.example.com"
  Check "pki: selfsigned not from A" Not VerifyClient "${p}/ca-a.crt" "${p}/selfsigned.crt"
  Check "pki: selfsigned anchors itself" VerifyClient "${p}/selfsigned.crt" "${p}/selfsigned.crt"
  Check "pki: selfsigned is CA:TRUE" Has "$(Text "${p}/selfsigned.crt")" "CA:TRUE"
}

TestMakePki() {
  local p="${tmp}/pki" first
  Check "pki: make_pki.sh runs" bash "${kMakePki}" "${p}"
  first="$(sha256sum "${p}/ca-a.key")"
  Check "pki: make_pki.sh runs again" bash "${kMakePki}" "${p}"
  Check "pki: second run replaces the files" test "$(sha256sum "${p}/ca-a.key")" != "${first}"
  TestMakePkiFiles "${p}"
  TestMakePkiServers "${p}"
  TestMakePkiCas "${p}"
  TestMakePkiClients "${p}"
  Check "pki: make_pki.sh without OUT_DIR fails" Not bash "${kMakePki}"
}

main() {
  command -v openssl >/dev/null || { echo "openssl not found"; echo "0 passed, 1 failed"; exit 1; }
  TestEcdsaSelfSignedDnsName
  TestRsaSelfSignedIp
  TestCsrMode
  TestBadArguments
  TestMakePki
  echo "${passed} passed, ${failed} failed"
  [[ "${failed}" == 0 ]]
}

main "$@"
