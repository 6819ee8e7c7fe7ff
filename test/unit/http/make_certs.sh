#!/usr/bin/env bash
# Makes a throwaway PKI for lib/http's TLS tests in directory $1, with the
# openssl CLI: a CA (ca.crt/key), an unrelated CA (otherca.crt/key), a server
# certificate for DNS:localhost and DNS:apiserver.hoist.test but no IP
# address (server.crt/key), and a client certificate with CN hoist-client
# (client.crt/key), all signed by the CA and valid for two days. EC P-256
# keys, so it is quick on a slow machine. Never writes outside $1.
set -euo pipefail
dir=$1
cd "$dir"

ca() { # name, common name
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$1.key" -out "$1.crt" -days 2 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

leaf() { # name, common name, extensions
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    printf '%b\n' "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
        -out "$1.crt" -days 2 -extfile "$1.ext" 2>/dev/null
}

ca ca "hoist test CA"
ca otherca "hoist other CA"
leaf server localhost "subjectAltName=DNS:localhost,DNS:apiserver.hoist.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth"
leaf client hoist-client "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth"
