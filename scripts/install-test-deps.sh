#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine. Safe to run again: it installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install --locked cargo-nextest
fi
# Node packages of the automerge-repo interop tests (tests/interop), pinned by package-lock.json.
bash scripts/install-interop-deps.sh
