#!/usr/bin/env bash
# selftest.sh: build if needed, then up -> pods (local image, private registry with and without
# a pull secret) -> down -> check nothing is left. Needs root, Go, kubectl and the Debian
# packages etcd-server containerd runc containernetworking-plugins docker-registry.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$here/localkube.sh" build
export LOCALKUBE_BIN_DIR
LOCALKUBE_BIN_DIR=$("$here/localkube.sh" bin-dir)
go=$(command -v go || echo /usr/local/go/bin/go)
cd "$here"
exec "$go" test ./selftest -count=1 -v -timeout 20m
