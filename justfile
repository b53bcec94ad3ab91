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
    INSTA_UPDATE=no cargo test --workspace
    # The kubectl oracle is ignored in a bare `cargo test` (it needs kubectl); run it here.
    cargo test -p regcred-core --test kubectl_oracle -- --ignored
    cargo build -p regcred-core --target wasm32-unknown-unknown --features k8s-openapi/v1_35

# Run every benchmark and print the ratios against the peers (installs hyperfine and time; bench-distribute starts a local cluster, as root)
bench: bench-secret bench-inject bench-distribute

# regcred inject on 1,000 to 100,000 generated documents against kubectl kustomize at 1,000 and 3,000 (writes target/ and the temp dir)
bench-inject:
    scripts/bench-inject.sh

# Fuzz inject with cargo-fuzz for SECONDS (needs nightly and cargo-fuzz; writes fuzz/corpus, fuzz/artifacts)
fuzz-inject SECONDS="600":
    scripts/fuzz-inject.sh {{SECONDS}}

# Whole-process `regcred secret` against `kubectl create secret docker-registry` (writes target/bench)
bench-secret:
    scripts/setup.sh bench
    cargo build --release -p regcred-cli
    scripts/bench-secret.sh target/release/regcred
    cargo bench -p regcred-core --bench generate -- --quiet

# What CI runs: lint, tests, the browser tests, the e2e and the live-command tests on a real local cluster, one after the other (installs packages, starts dockerd, builds Kubernetes once into ~/.cache/regcred)
ci: test test-web-ci e2e-local test-live

# The browser tests as CI runs them: installs Chromium and the wasm tools first
[private]
test-web-ci:
    scripts/setup.sh web
    just test-web

# The e2e on the local single-node cluster, offline images: starts dockerd, a registry container and the cluster (as root), removes them after
e2e-local:
    scripts/setup.sh docker e2e localkube
    scripts/start-dockerd.sh
    PATH="$PATH:/usr/local/go/bin" just localkube-build
    PATH="$PATH:/usr/local/go/bin" just localkube-selftest
    REGCRED_E2E_OFFLINE=1 REGCRED_E2E_CLUSTER=local REGCRED_E2E_STRICT=1 just e2e
