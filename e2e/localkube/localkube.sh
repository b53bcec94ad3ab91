#!/usr/bin/env bash
# localkube.sh: build and run a single-node Kubernetes from the official Go modules.
#
#   localkube.sh build                     build the server binaries once per version (cached)
#   localkube.sh up --state-dir DIR [--registry HOST:PORT --registry-ca CA.pem]...
#   localkube.sh down --state-dir DIR      stop everything and remove DIR; idempotent
#   localkube.sh status --state-dir DIR    print the kubeconfig path, exit 0 when the node is Ready
#   localkube.sh bin-dir                   print where the server binaries are cached
#
# Binaries live in ${REGCRED_LOCALKUBE_CACHE:-~/.cache/regcred/localkube}/<version>/bin.
set -euo pipefail

# Keep in step with go.mod (k8s.io/kubernetes and the v0.X.Y staging replaces).
KUBE_VERSION=v1.37.2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root=${REGCRED_LOCALKUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/regcred/localkube}
bin_dir=$cache_root/$KUBE_VERSION/bin
server_binaries=(kube-apiserver kube-controller-manager kube-scheduler kubelet pause)

go_tool() {
  if command -v go >/dev/null; then
    command -v go
  elif [[ -x /usr/local/go/bin/go ]]; then
    echo /usr/local/go/bin/go
  else
    echo "localkube: no Go toolchain on PATH or in /usr/local/go/bin; install Go 1.26+" >&2
    exit 1
  fi
}

has_server_binaries() {
  local name
  for name in "${server_binaries[@]}"; do
    [[ -x $bin_dir/$name ]] || return 1
  done
}

version_ldflags() {
  local minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  local key val flags="-s -w"
  for key in gitVersion=$KUBE_VERSION gitMajor=1 gitMinor=$minor gitTreeState=clean; do
    val=${key#*=}
    key=${key%%=*}
    flags+=" -X k8s.io/component-base/version.$key=$val -X k8s.io/client-go/pkg/version.$key=$val"
  done
  echo "$flags"
}

build_server_binaries() {
  if has_server_binaries; then
    echo "localkube: $KUBE_VERSION binaries cached in $bin_dir" >&2
    return
  fi

  local go tmp started
  go=$(go_tool)
  mkdir -p "$(dirname "$bin_dir")"
  tmp=$(mktemp -d "$bin_dir.tmp.XXXXXX")
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  started=$(date +%s)
  echo "localkube: building Kubernetes $KUBE_VERSION into $bin_dir (cold: about 25 minutes on 2 cores)" >&2

  # Static like upstream release binaries, with upstream's build tags and version stamp.
  (cd "$here" && CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -p=2" "$go" build -trimpath \
    -tags selinux,notest -ldflags "$(version_ldflags)" -o "$tmp/" \
    ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubelet ./cmd/pause)

  rm -rf "$bin_dir"
  mv "$tmp" "$bin_dir"
  trap - EXIT
  echo "localkube: built in $(($(date +%s) - started))s" >&2
}

launcher() {
  local go out
  go=$(go_tool)
  out=$cache_root/launcher
  mkdir -p "$out"
  (cd "$here" && CGO_ENABLED=0 "$go" build -trimpath -o "$out/localkube.new" ./cmd/localkube)
  mv "$out/localkube.new" "$out/localkube"
  echo "$out/localkube"
}

case ${1:-} in
  build)
    build_server_binaries
    launcher >/dev/null
    ;;
  bin-dir)
    echo "$bin_dir"
    ;;
  up | down | status)
    cmd=$1
    shift
    if [[ $cmd == up ]]; then
      build_server_binaries
    fi
    exec "$(launcher)" "$cmd" --bin-dir "$bin_dir" "$@"
    ;;
  *)
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
