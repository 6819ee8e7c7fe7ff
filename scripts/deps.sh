#!/usr/bin/env bash
# Installs what hoist needs to build and test, and only what is missing. It is
# idempotent: on a ready machine it prints nothing and exits 0. As root it uses
# apt-get (Debian 12); otherwise it prints the exact command to run and exits 1.
# Test peers that come from outside Debian (moto, the aws CLI, kubectl) are
# checked, and a missing one is reported with the line that installs it.
set -euo pipefail

debs=(
    gcc make cmake pkg-config clang-format
    libcurl4-openssl-dev libjansson-dev libssl-dev libev-dev libexpat1-dev
    libyaml-dev libcmocka-dev
)

missing=()
for p in "${debs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "deps: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/hoist-apt.log 2>&1; then
            apt-get update >>/tmp/hoist-apt.log 2>&1 || true
            apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/hoist-apt.log 2>&1 || {
                echo "deps: apt-get install failed; see /tmp/hoist-apt.log" >&2
                exit 1
            }
        fi
    else
        echo "deps: missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

# Peers that later test suites drive. Not needed by the tests that exist yet,
# so a missing one is reported, not fatal.
py=${HOIST_PYTHON:-python3}
if ! "$py" -c 'import moto' >/dev/null 2>&1; then
    echo "deps: note: moto is missing (AWS tests); install it with: $py -m pip install 'moto[server]>=5,<6' boto3 awscli" >&2
fi
command -v aws >/dev/null 2>&1 || echo "deps: note: the aws CLI is missing; install it with: $py -m pip install awscli" >&2
command -v kubectl >/dev/null 2>&1 || echo "deps: note: kubectl is missing; see https://kubernetes.io/docs/tasks/tools/" >&2
exit 0
