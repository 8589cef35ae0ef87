#!/usr/bin/env bash
# Runs every test of Fieldbook. Installs what the tests need first (idempotent).
#   1. the Rust workspace (unit, integration, property, crash tests) with cargo-nextest;
#   2. the FFI surface from Kotlin (JVM) and Python, plus the Swift/Android checks possible here.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh || exit 1
status=0
cargo nextest run --workspace --no-fail-fast "$@" || status=1
bash scripts/test-ffi.sh || status=1
exit $status
