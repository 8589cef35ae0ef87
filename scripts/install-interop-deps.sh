#!/usr/bin/env bash
# Installs the Node packages of the interop tests and the sync benchmark (tests/interop), exactly
# as pinned in its package-lock.json. Safe to run again: it reinstalls only when the lock file
# changed since the last install. Needs Node >= 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/../tests/interop"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "需要 Node.js 20 或更新版本 / Node.js >= 20 and npm are required for tests/interop" >&2
    exit 1
fi
stamp=node_modules/.fieldbook-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    exit 0
fi
# `npm install --no-save` installs exactly the versions in package-lock.json without rewriting
# it. Not `npm ci`: the lock cannot list cbor-extract's per-platform prebuilt packages when the
# registry that wrote it lacks them, and `npm ci` then refuses the lock. Optional packages are
# left out on purpose (cbor-extract is a native speed-up of cbor-x, which falls back to plain JS),
# so every machine runs the same code.
npm install --no-save --omit=optional --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
