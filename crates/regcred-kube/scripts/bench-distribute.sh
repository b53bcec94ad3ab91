#!/usr/bin/env bash
# bench-distribute.sh KUBECONFIG [REGCRED]: one pull Secret into 10, 100 and 1,000 namespaces
# with `regcred apply`, against `kubectl apply -f` of a file with the same Secrets, on the same
# API server in the same run. Each size: the Secrets are deleted before every timed run (both
# tools create), runs alternate between the tools, medians of RUNS runs. Prints `ratio N: X`
# (kubectl time / regcred time) per size; the table also goes to target/bench/distribute.txt.
set -euo pipefail

kubeconfig=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
regcred=${2:-$root/target/release/regcred}
runs=${RUNS:-3}
sizes=${SIZES:-"10 100 1000"}
out=$root/target/bench
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k() { kubectl --kubeconfig "$kubeconfig" "$@"; }

printf 'bench-password' >"$work/password"
server=registry.bench.invalid

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Namespaces bench-<size>-<i>, labelled regcred-bench=<size>; created once, not timed.
make_namespaces() {
  local size=$1
  python3 -c '
import json, sys
size = sys.argv[1]
print(json.dumps({"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Namespace",
     "metadata": {"name": f"bench-{size}-{i}", "labels": {"regcred-bench": size}}}
    for i in range(int(size))]}))' "$size" >"$work/ns-$size.json"
  k apply -f "$work/ns-$size.json" >/dev/null
}

# The same Secrets regcred applies (name, type, data, labels), as one file for kubectl.
make_secret_file() {
  local size=$1 i args=()
  for ((i = 0; i < size; i++)); do
    args+=(-n "bench-$size-$i")
  done
  "$regcred" secret regcred --server "$server" --username bench --password-file "$work/password" \
    --label app.kubernetes.io/managed-by=regcred --label regcred-bench=secret "${args[@]}" \
    2>/dev/null >"$work/secrets-$size.yaml"
}

delete_secrets() {
  k delete secrets -A -l regcred-bench=secret --wait=true >/dev/null 2>&1 || true
}

time_regcred() {
  local size=$1 start end
  delete_secrets
  start=$(now)
  "$regcred" apply regcred --kubeconfig "$kubeconfig" --server "$server" --username bench \
    --password-file "$work/password" --label regcred-bench=secret \
    -A --namespace-selector "regcred-bench=$size" >"$work/regcred.log" 2>&1
  end=$(now)
  grep -q "$size namespaces: $size created" "$work/regcred.log" || { cat "$work/regcred.log" >&2; exit 1; }
  elapsed "$start" "$end"
}

time_kubectl() {
  local size=$1 start end
  delete_secrets
  start=$(now)
  k apply -f "$work/secrets-$size.yaml" >"$work/kubectl.log"
  end=$(now)
  [[ $(grep -c created "$work/kubectl.log") == "$size" ]] || { cat "$work/kubectl.log" >&2; exit 1; }
  elapsed "$start" "$end"
}

{
  echo "size  regcred median s  kubectl median s  runs"
  for size in $sizes; do
    make_namespaces "$size"
    make_secret_file "$size"
    : >"$work/r" && : >"$work/k"
    for ((run = 0; run < runs; run++)); do
      time_regcred "$size" >>"$work/r"
      time_kubectl "$size" >>"$work/k"
    done
    r=$(median <"$work/r")
    kk=$(median <"$work/k")
    echo "$size  $r  $kk  $runs  (regcred: $(tr '\n' ' ' <"$work/r"); kubectl: $(tr '\n' ' ' <"$work/k"))" >&2
    printf '%s  %s  %s  %s\n' "$size" "$r" "$kk" "$runs"
    delete_secrets
  done
} >"$out/distribute.txt"

cat "$out/distribute.txt"
awk 'NR > 1 { printf "ratio %s: %.1f\n", $1, $3 / $2 }' "$out/distribute.txt" | tee -a "$out/distribute.txt"
