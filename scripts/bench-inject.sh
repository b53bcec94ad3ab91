#!/usr/bin/env bash
# Times `regcred inject` on generated manifest sets of 1,000 to 100,000 documents, against
# `kubectl kustomize` with the same JSON patch at 1,000 and 3,000 documents (about 30 s).
# Writes only under target/ and the system temporary directory. Extra arguments go to the
# benchmark: --no-kustomize, --enforce (exit 1 unless linear and 10,000 docs <= 1 s).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo bench -p regcred-core --bench inject -- "$@"
