#!/usr/bin/env bash
# Fuzzes `inject` with cargo-fuzz for SECONDS (default 600), seeded with the test corpus.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Writes only under
# fuzz/ (corpus, artifacts, target; all ignored by git). A crash lands in fuzz/artifacts/inject/:
# copy it to crates/regcred-core/tests/inject-fuzz-regressions/ so the test suite keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
mkdir -p fuzz/corpus/inject
exec cargo +nightly fuzz run inject fuzz/corpus/inject crates/regcred-core/tests/inject-corpus -- \
  -dict=fuzz/inject.dict -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1
