#!/usr/bin/env bash
# live.sh: the local cluster plus a private TLS registry for regcred's live tests and benchmark.
#
#   live.sh up DIR      as root: a registry on 127.0.0.1 (own CA, htpasswd) with one image,
#                       then localkube trusting it; writes DIR/env (the REGCRED_LIVE_* variables)
#   live.sh down DIR    stop both, remove DIR; idempotent
#   live.sh test DIR    up, run the ignored live tests, down (always); prints "N passed, N failed"
#   live.sh bench DIR   up, run bench-distribute, down (always)
#
# One localkube cluster runs per machine: `up` refuses when another one is running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
localkube=$root/e2e/localkube/localkube.sh
user=regcred-live

log() { echo "live: $*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

make_certs() {
  local dir=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=regcred-live-ca" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
}

start_registry() {
  local dir=$1 port=$2
  head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
  chmod 600 "$dir/password"
  htpasswd -Bbn "$user" "$(cat "$dir/password")" >"$dir/htpasswd"
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $dir/server.pem
    key: $dir/server.key
auth:
  htpasswd:
    realm: regcred-live
    path: $dir/htpasswd
YAML
  setsid /usr/bin/docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  local i
  for i in $(seq 100); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$dir/ca.pem" "https://127.0.0.1:$port/v2/") == 401 ]]; then
      return
    fi
    sleep 0.2
  done
  log "registry on 127.0.0.1:$port did not answer 401; see $dir/registry.log"
  return 1
}

# An OCI layout holding one image whose only file is the static pause binary of localkube.
build_image() {
  local dir=$1
  "$here/oci-layout.py" "$("$localkube" bin-dir)/pause" "$dir/layout" v1
}

push_image() {
  local dir=$1 port=$2
  mkdir -p "$dir/certs.d"
  cp "$dir/ca.pem" "$dir/certs.d/ca.crt"
  skopeo --insecure-policy copy -q --dest-cert-dir "$dir/certs.d" \
    --dest-creds "$user:$(cat "$dir/password")" \
    "oci:$dir/layout:v1" "docker://127.0.0.1:$port/regcred-live/app:v1"
}

# Whether a kube-apiserver runs on this machine; zombies, already stopped, do not count.
running_apiserver() {
  ps -eo stat=,comm= | awk '$2 == "kube-apiserver" && $1 !~ /^Z/ { found = 1 } END { exit !found }'
}

up() {
  local dir=$1
  [[ $(id -u) == 0 ]] || { log "up needs root (localkube runs containerd and a kubelet)"; exit 1; }
  # A cluster stopped just before (the e2e's, in `just ci`) may leave its kube-apiserver exiting
  # for a moment, or a zombie until it is reaped: wait a little before calling it another one.
  local i
  for i in $(seq 50); do
    running_apiserver || break
    sleep 0.2
  done
  if running_apiserver; then
    log "a kube-apiserver is already running (one cluster per machine); stop it first"
    exit 1
  fi
  mkdir -p "$dir/registry"
  local port
  port=$(free_port)
  make_certs "$dir/registry"
  start_registry "$dir/registry" "$port"
  build_image "$dir/registry"
  push_image "$dir/registry" "$port"
  log "registry 127.0.0.1:$port serves regcred-live/app:v1"
  local kubeconfig
  kubeconfig=$("$localkube" up --state-dir "$dir/cluster" --registry "127.0.0.1:$port" --registry-ca "$dir/registry/ca.pem")
  cat >"$dir/env" <<ENV
export REGCRED_LIVE_KUBECONFIG=$kubeconfig
export REGCRED_LIVE_REGISTRY=127.0.0.1:$port
export REGCRED_LIVE_CA=$dir/registry/ca.pem
export REGCRED_LIVE_USER=$user
export REGCRED_LIVE_PASSWORD_FILE=$dir/registry/password
export REGCRED_LIVE_IMAGE=127.0.0.1:$port/regcred-live/app:v1
ENV
  log "cluster up; variables in $dir/env"
}

down() {
  local dir=$1
  if [[ -f $dir/cluster/localkube.json ]] || [[ -d $dir/cluster ]]; then
    "$localkube" down --state-dir "$dir/cluster" || true
  fi
  if [[ -f $dir/registry/registry.pid ]]; then
    kill "$(cat "$dir/registry/registry.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

run_tests() {
  local dir=$1 out=$dir.test.log
  trap 'down "$dir"' EXIT
  up "$dir"
  # shellcheck disable=SC1091
  source "$dir/env"
  local status=0
  (cd "$root" && cargo test -p regcred-cli --test live -- --ignored --test-threads 2) 2>&1 | tee "$out" || status=$?
  local passed failed
  passed=$(grep -o '[0-9]* passed' "$out" | tail -1 | cut -d' ' -f1)
  failed=$(grep -o '[0-9]* failed' "$out" | tail -1 | cut -d' ' -f1)
  echo "${passed:-0} passed, ${failed:-0} failed"
  rm -f "$out"
  return "$status"
}

run_bench() {
  local dir=$1
  trap 'down "$dir"' EXIT
  up "$dir"
  # shellcheck disable=SC1091
  source "$dir/env"
  "$here/bench-distribute.sh" "$REGCRED_LIVE_KUBECONFIG"
}

command=${1:-}
dir=${2:-/tmp/regcred-live}
case $command in
  up) up "$dir" ;;
  down) down "$dir" ;;
  test) run_tests "$dir" ;;
  bench) run_bench "$dir" ;;
  *) echo "usage: live.sh up|down|test|bench [DIR]" >&2; exit 2 ;;
esac
