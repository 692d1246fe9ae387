#!/usr/bin/env bash
# make_pki.sh OUT_DIR — the test PKI for callgate's mutual-TLS integration tests.
#
# Run at test time; takes well under a second (ECDSA P-256 everywhere, one RSA 2048 key).
# Idempotent: every file below is replaced on each run; nothing else in OUT_DIR is touched.
# File names are fixed; contents (keys, serials, dates) are new on every run.
# Validity: 3650 days from now, except a-expired and server-int.
#
# Server certificates (self-signed, CA:FALSE, EKU serverAuth; what setup-certs.sh makes):
#   server.crt / server.key          ECDSA, CN=localhost, SAN DNS:localhost, IP:127.0.0.1, IP:::1
#   server-rsa.crt / server-rsa.key  RSA 2048, same names (legacy-cipher test: AES256-SHA needs RSA)
#   server2.crt / server2.key        ECDSA, CN=callgate-reloaded, SAN DNS:callgate-reloaded plus
#                                    the same localhost names (reload test)
#   server-trust.pem                 server.crt + server-rsa.crt + server2.crt, for a test client
#   server-chain.crt / server-chain.key  ECDSA, CN=localhost, same names, signed by server-int
#                                    and followed by it in the .crt (the chain callgate sends);
#                                    server-int (CA:TRUE, under A) is valid for 20 days only
#
# Certificate authorities (CA:TRUE, keyUsage keyCertSign,cRLSign):
#   ca-a.crt / ca-a.key              root A ("callgate test CA A")
#   ca-a-int.crt / ca-a-int.key      intermediate under A, pathlen:0
#   ca-a-chain.pem                   ca-a-int.crt + ca-a.crt (a ca_file holding root + intermediate)
#   ca-b.crt / ca-b.key              root B, independent of A
#
# Client certificates, each NAME.crt + NAME.key (ECDSA, CA:FALSE, keyUsage digitalSignature,
# EKU serverAuth,clientAuth as on UCM's CallManager certificates):
#   a-cn        signed by A; subject C=US, O=Example Corp, OU=Voice, CN=cucm-pub.example.com; no SAN
#   a-dns       signed by A; CN=other, SAN DNS:cucm-sub1.example.com
#   a-ip        signed by A; CN=other2, SAN IP:10.1.1.10
#   a-int       signed by A's intermediate; CN=cucm-sub2.example.com; the leaf alone
#   a-int-chain.crt  a-int.crt + ca-a-int.crt (what a client sends to be verifiable from ca-a.crt)
#   a-wrong     signed by A; CN=intruder.example.com
#   a-expired   signed by A; CN=cucm-pub.example.com; valid 2020-01-01 to 2021-01-01 (expired)
#   b-cn        signed by B; CN=cucm-pub.example.com (cluster A's subject from another CA: deny)
#   selfsigned  self-signed; subject C=US, O=Example Corp, OU=Voice, CN=cucm-pub.example.com;
#               CA:TRUE with keyCertSign like a self-signed UCM CallManager.pem, so it is both a
#               client certificate and a valid ca_file for itself
#   renewed-old, renewed-new  two more like selfsigned, both with subject C=US, O=Example,
#               CN=cucm-renewed.example.com and no authorityKeyIdentifier: a UCM node's
#               CallManager.pem before and after a renewal (OpenSSL tells them apart only by key)
#
# Misuse:
#   leaf-as-ca.crt / leaf-as-ca.key  signed by A, CA:FALSE, CN=cucm-pub.example.com: the UCM
#                                    leaf an administrator wrongly gives as ca_file
#
# Usage: tests/integration/make_pki.sh OUT_DIR      (needs only the openssl CLI, OpenSSL 3)
set -euo pipefail

readonly kDays=3650
readonly kUcmSubject="/C=US/O=Example Corp/OU=Voice/CN=cucm-pub.example.com"
readonly kRenewedSubject="/C=US/O=Example/CN=cucm-renewed.example.com"
readonly kLocalNames="DNS:localhost,IP:127.0.0.1,IP:::1"

Die() {
  echo "make_pki.sh: $*" >&2
  exit 1
}

# The openssl configuration: one extension section per kind of certificate. A config of our
# own keeps the system openssl.cnf (whose req defaults add CA:TRUE) out of the result.
WriteConfig() {
  cat >pki.cnf <<EOF
[req]
distinguished_name = dn
[dn]

[ca]
default_ca = ca_expired
[ca_expired]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[policy_any]
commonName = supplied

[ext_root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ext_int]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ext_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${kLocalNames}
[ext_server_rsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${kLocalNames}
[ext_server2]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:callgate-reloaded,${kLocalNames}
[ext_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
[ext_client_dns]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:cucm-sub1.example.com
[ext_client_ip]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:10.1.1.10
[ext_ucm_selfsigned]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
EOF
}

# MakeCert NAME SUBJECT EXTENSIONS [ISSUER [DAYS]]: NAME.key (P-256) and NAME.crt, self-signed
# or signed by ISSUER.crt/ISSUER.key, valid for DAYS (default kDays). `req -x509` picks a random
# serial, so no serial files.
MakeCert() {
  local name="$1" subject="$2" extensions="$3" issuer="${4:-}" days="${5:-${kDays}}"
  local -a sign=()
  [[ -n "${issuer}" ]] && sign=(-CA "${issuer}.crt" -CAkey "${issuer}.key")
  openssl req -new -x509 -config pki.cnf -extensions "${extensions}" -sha256 -days "${days}" \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout "${name}.key" \
    -subj "${subject}" -out "${name}.crt" "${sign[@]}" 2>/dev/null ||
    Die "openssl failed making ${name}.crt"
}

MakeRsaServer() {
  openssl req -new -x509 -config pki.cnf -extensions ext_server_rsa -sha256 -days "${kDays}" \
    -newkey rsa:2048 -noenc -keyout server-rsa.key -subj "/CN=localhost" \
    -out server-rsa.crt 2>/dev/null || Die "openssl failed making server-rsa.crt"
}

# OpenSSL 3.0's req and x509 cannot back-date a certificate; `openssl ca` can (-startdate).
MakeExpired() {
  mkdir db
  : >db/index.txt
  openssl rand -hex 16 >db/serial
  openssl req -new -config pki.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout a-expired.key -subj "/CN=cucm-pub.example.com" -out a-expired.csr 2>/dev/null ||
    Die "openssl failed making a-expired.csr"
  openssl ca -batch -config pki.cnf -cert ca-a.crt -keyfile ca-a.key -in a-expired.csr \
    -out a-expired.crt -notext -startdate 20200101000000Z -enddate 20210101000000Z \
    -extfile pki.cnf -extensions ext_client >/dev/null 2>&1 ||
    Die "openssl ca failed making a-expired.crt"
}

MakeAll() {
  WriteConfig
  MakeCert server "/CN=localhost" ext_server
  MakeRsaServer
  MakeCert server2 "/CN=callgate-reloaded" ext_server2
  cat server.crt server-rsa.crt server2.crt >server-trust.pem
  MakeCert ca-a "/O=callgate tests/CN=callgate test CA A" ext_root
  MakeCert ca-a-int "/O=callgate tests/CN=callgate test CA A intermediate" ext_int ca-a
  cat ca-a-int.crt ca-a.crt >ca-a-chain.pem
  MakeCert server-int "/O=callgate tests/CN=callgate test short-lived intermediate" ext_int ca-a 20
  MakeCert server-leaf "/CN=localhost" ext_server server-int
  cat server-leaf.crt server-int.crt >server-chain.crt
  mv server-leaf.key server-chain.key
  MakeCert ca-b "/O=callgate tests/CN=callgate test CA B" ext_root
  MakeCert a-cn "${kUcmSubject}" ext_client ca-a
  MakeCert a-dns "/CN=other" ext_client_dns ca-a
  MakeCert a-ip "/CN=other2" ext_client_ip ca-a
  MakeCert a-int "/CN=cucm-sub2.example.com" ext_client ca-a-int
  cat a-int.crt ca-a-int.crt >a-int-chain.crt
  MakeCert a-wrong "/CN=intruder.example.com" ext_client ca-a
  MakeExpired
  MakeCert b-cn "/CN=cucm-pub.example.com" ext_client ca-b
  MakeCert selfsigned "${kUcmSubject}" ext_ucm_selfsigned
  MakeCert renewed-old "${kRenewedSubject}" ext_ucm_selfsigned
  MakeCert renewed-new "${kRenewedSubject}" ext_ucm_selfsigned
  # What the renewal test is about: without the extension OpenSSL finds issuers by subject.
  if openssl x509 -in renewed-new.crt -noout -text | grep -q "Authority Key Identifier"; then
    Die "renewed-new.crt has an authorityKeyIdentifier"
  fi
  MakeCert leaf-as-ca "/CN=cucm-pub.example.com" ext_client ca-a
}

work=""  # the scratch directory, removed on exit

readonly kOutputs=(
  server.crt server.key server-rsa.crt server-rsa.key server2.crt server2.key server-trust.pem
  server-chain.crt server-chain.key
  ca-a.crt ca-a.key ca-a-int.crt ca-a-int.key ca-a-chain.pem ca-b.crt ca-b.key
  a-cn.crt a-cn.key a-dns.crt a-dns.key a-ip.crt a-ip.key a-int.crt a-int.key a-int-chain.crt
  a-wrong.crt a-wrong.key a-expired.crt a-expired.key b-cn.crt b-cn.key
  selfsigned.crt selfsigned.key renewed-old.crt renewed-old.key renewed-new.crt renewed-new.key
  leaf-as-ca.crt leaf-as-ca.key
)

main() {
  [[ $# -eq 1 && -n "$1" ]] || Die "usage: make_pki.sh OUT_DIR"
  command -v openssl >/dev/null || Die "openssl not found in PATH"
  umask 077  # private keys are never readable by others, not even while being written
  mkdir -p "$1"
  local out
  out="$(cd "$1" && pwd)"
  # Build in a scratch directory inside OUT_DIR, then rename each file into place: a
  # concurrent reader sees either the old or the new file, never a half-written one.
  work="$(mktemp -d "${out}/.make_pki.XXXXXX")"
  trap 'rm -rf "${work}"' EXIT  # work is global: the trap runs after main has returned
  (
    cd "${work}"
    MakeAll
  )
  local f
  for f in "${kOutputs[@]}"; do
    [[ "${f}" == *.key ]] || chmod 644 "${work}/${f}"
    mv -f "${work}/${f}" "${out}/${f}"
  done
}

main "$@"
