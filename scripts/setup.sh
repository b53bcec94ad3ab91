#!/usr/bin/env bash
# Installs what regcred's recipes need on a fresh Debian machine; safe to run again.
# Usage: scripts/setup.sh [rust] [web] [docker] [bench] [e2e] [live] [localkube] (default: rust)
set -euo pipefail

want() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }
PARTS=("${@:-rust}")

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found; install Rust with rustup (https://rustup.rs) and run again" >&2
  exit 1
fi
command -v just >/dev/null || { echo "setup: cargo install just"; cargo install --quiet just; }
if want rust; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  command -v kubectl >/dev/null || apt_install kubectl
fi
if want web; then
  rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  apt_install chromium chromium-driver
  # Node.js with npm comes from the machine (Debian's npm would replace a newer Node.js).
  command -v node >/dev/null && command -v npm >/dev/null || {
    echo "setup: node and npm not found; install Node.js 18 or newer (https://nodejs.org)" >&2
    exit 1
  }
fi
if want docker; then
  apt_install docker.io skopeo apache2-utils busybox-static docker-registry
fi
if want bench; then
  apt_install hyperfine time
fi
if want e2e; then
  apt_install docker.io skopeo apache2-utils busybox-static docker-registry
fi
if want live; then
  # The live tests' private registry: Debian's registry, htpasswd, a CA from openssl, skopeo.
  apt_install docker-registry apache2-utils openssl curl skopeo python3
fi
if want localkube; then
  # The local single-node cluster: Debian's etcd, containerd, runc and CNI plugins; Go builds
  # the Kubernetes binaries (Go itself must be on PATH: https://go.dev/doc/install).
  apt_install etcd-server containerd runc containernetworking-plugins iproute2 iptables
  command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || {
    echo "setup: go not found; the local cluster builds Kubernetes from its Go modules" >&2
    exit 1
  }
fi
exit 0
