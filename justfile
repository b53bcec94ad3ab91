# regcred task runner. `just` lists the recipes; `just ci` runs exactly what CI runs.

set shell := ["bash", "-euo", "pipefail", "-c"]

import? 'web/web.just'
import? 'e2e/e2e.just'
import? 'e2e/localkube/localkube.just'
import? 'crates/regcred-kube/kube.just'

# List the recipes
[private]
default:
    @just --list --unsorted

# Build the regcred and kubectl-regcred binaries in release mode (writes target/release)
build:
    cargo build --release -p regcred-cli

# Install regcred and kubectl-regcred into ~/.cargo/bin (so `kubectl regcred` works)
install:
    cargo install --path crates/regcred-cli --locked

# Check formatting and lints; changes nothing
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Run the Rust tests, kubectl oracle included, live cluster tests left to test-live (writes target/)
test: lint
    @command -v kubectl >/dev/null || { echo "kubectl is needed as the oracle for the Secret format tests" >&2; exit 1; }
    INSTA_UPDATE=no cargo test --workspace --exclude regcred-e2e -- --include-ignored --skip live_
    cargo build -p regcred-core --target wasm32-unknown-unknown --features k8s-openapi/v1_35

# Run every benchmark and print the ratios against the peers (installs hyperfine and time)
bench: bench-secret

# Whole-process `regcred secret` against `kubectl create secret docker-registry` (writes target/bench)
bench-secret:
    scripts/setup.sh bench
    cargo build --release -p regcred-cli
    scripts/bench-secret.sh target/release/regcred
    cargo bench -p regcred-core --bench generate -- --quiet

# What CI runs: set-up, lint, tests, web, e2e (installs packages, starts dockerd)
ci: test
