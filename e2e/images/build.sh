#!/usr/bin/env bash
# Builds the e2e's images FROM scratch out of Debian packages, so no registry pull is needed:
#   regcred-e2e/registry:offline  (docker-registry package: /usr/bin/docker-registry + its libraries)
#   regcred-e2e/busybox:local     (busybox-static package: /bin/busybox)
# Needs: docker, ldd, and the two packages installed (apt-get install docker-registry busybox-static).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
registry_image=${REGCRED_E2E_OFFLINE_REGISTRY_IMAGE:-regcred-e2e/registry:offline}
busybox_image=${REGCRED_E2E_TEST_IMAGE:-regcred-e2e/busybox:local}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

need_file() {
  if [ ! -x "$1" ]; then
    echo "error: $1 is missing; install it with: apt-get install -y $2" >&2
    exit 1
  fi
}

# Copies a dynamically linked binary's libraries (as ldd resolves them) under $2, same paths.
copy_libraries() {
  local lib
  for lib in $(ldd "$1" | grep -o '/[^ ]*' || true); do
    mkdir -p "$2$(dirname "$lib")"
    cp -L "$lib" "$2$lib"
  done
}

build_registry() {
  local ctx=$work/registry
  need_file /usr/bin/docker-registry docker-registry
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc/docker/registry" "$ctx/rootfs/var/lib/registry" "$ctx/rootfs/tmp"
  cp /usr/bin/docker-registry "$ctx/rootfs/bin/registry"
  copy_libraries /usr/bin/docker-registry "$ctx/rootfs"
  cp "$here/registry/config.yml" "$ctx/rootfs/etc/docker/registry/config.yml"
  cp "$here/registry/Dockerfile" "$ctx/Dockerfile"
  docker build --quiet --tag "$registry_image" "$ctx" >/dev/null
  echo "built $registry_image ($(/usr/bin/docker-registry --version 2>/dev/null | head -n 1))"
}

build_busybox() {
  local ctx=$work/busybox
  need_file /bin/busybox busybox-static
  if ldd /bin/busybox >/dev/null 2>&1; then
    echo "error: /bin/busybox is dynamically linked; install busybox-static" >&2
    exit 1
  fi
  mkdir -p "$ctx/rootfs/bin"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  cp "$here/busybox/Dockerfile" "$ctx/Dockerfile"
  docker build --quiet --tag "$busybox_image" "$ctx" >/dev/null
  echo "built $busybox_image"
}

case "${1:-all}" in
  registry) build_registry ;;
  busybox) build_busybox ;;
  all) build_registry; build_busybox ;;
  *) echo "usage: $0 [registry|busybox|all]" >&2; exit 2 ;;
esac
