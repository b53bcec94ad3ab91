#!/usr/bin/env bash
# Starts dockerd in the background when no Docker engine answers; waits until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null; then
  echo "start-dockerd: dockerd is not installed (scripts/setup.sh docker installs it)" >&2
  exit 1
fi
echo "start-dockerd: starting dockerd (log: /tmp/regcred-dockerd.log)"
nohup dockerd >/tmp/regcred-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "start-dockerd: dockerd did not answer within 60 s; see /tmp/regcred-dockerd.log" >&2
exit 1
