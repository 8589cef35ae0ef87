#!/usr/bin/env bash
# Runs every test of Fieldbook. Installs what the tests need first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
cargo nextest run --workspace --no-fail-fast "$@"
