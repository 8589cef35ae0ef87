#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine. Safe to run again: it installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install --locked cargo-nextest
fi
# Headless Chromium and its WebDriver for the back office's browser tests
# (sync-server/tests/web): Debian's packages, same version, /usr/bin/chromium and chromedriver.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver
fi
# A small CJK font, so headless Chromium renders the pages' Chinese in browser tests and
# screenshots (without one, the characters are boxes).
if ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq fonts-wqy-microhei
fi
# schemathesis (PyPI), which fuzzes the back-office API against its own OpenAPI document
# (sync-server/tests/office/schemathesis.rs); pinned, so every machine draws the same cases.
if ! python3 -m pip show schemathesis 2>/dev/null | grep -qx 'Version: 4.32.5'; then
    python3 -m pip install -q --disable-pip-version-check 'schemathesis==4.32.5'
fi
# Node packages of the automerge-repo interop tests (tests/interop), pinned by package-lock.json.
bash scripts/install-interop-deps.sh
# PostgreSQL's server programs, for the tests of the Postgres store and of several nodes
# (fieldbook-testpg runs a throwaway cluster with them).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends postgresql
fi
