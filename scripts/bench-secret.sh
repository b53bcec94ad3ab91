#!/usr/bin/env bash
# Whole-process `regcred secret` against `kubectl create secret docker-registry --dry-run=client`
# on the same input, in the same run: wall time (hyperfine, medians) and peak memory (GNU time).
# Prints the ratios kubectl/regcred: above 1 means regcred is faster or smaller.
set -euo pipefail
regcred=${1:-target/release/regcred}
out=target/bench
mkdir -p "$out"
password='S3cr3t-bench<&>'
printf '%s' "$password" >"$out/password"

ours=("$regcred" secret regcred --server registry.example.com --username alice --password-file "$out/password")
theirs=(kubectl create secret docker-registry regcred --docker-server=registry.example.com
  --docker-username=alice "--docker-password=$password" --dry-run=client -o yaml)

# Same content first: a benchmark of different outputs would mean nothing.
decode() { python3 -c 'import sys,json,base64,re; t=sys.stdin.read(); m=re.search(r"\.dockerconfigjson: (\S+)", t); print(base64.b64decode(m.group(1)).decode())'; }
if [ "$("${ours[@]}" | decode)" != "$("${theirs[@]}" | decode)" ]; then
  echo "bench-secret: regcred and kubectl disagree on the Secret content; not measuring" >&2
  exit 1
fi
echo "same .dockerconfigjson from both: yes"

hyperfine -N --warmup 5 --runs 50 --style basic --export-json "$out/secret-time.json" \
  -n regcred "$(printf '%q ' "${ours[@]}")" -n kubectl "$(printf '%q ' "${theirs[@]}")" >/dev/null

peak_kib() {
  local runs=()
  for _ in 1 2 3 4 5; do
    runs+=("$( { /usr/bin/time -f '%M' "$@" >/dev/null; } 2>&1 | tail -n 1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 3p
}
ours_kib=$(peak_kib "${ours[@]}")
theirs_kib=$(peak_kib "${theirs[@]}")

python3 - "$out/secret-time.json" "$ours_kib" "$theirs_kib" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ours, theirs = results["regcred"]["median"], results["kubectl"]["median"]
ours_kib, theirs_kib = int(sys.argv[2]), int(sys.argv[3])
print(f"regcred secret: median {ours*1000:.2f} ms, peak {ours_kib} KiB")
print(f"kubectl create secret: median {theirs*1000:.2f} ms, peak {theirs_kib} KiB")
print(f"ratio speed (kubectl/regcred): {theirs/ours:.1f}  (target >= 20)")
print(f"ratio memory (kubectl/regcred): {theirs_kib/ours_kib:.1f}  (target >= 5)")
PY
