#!/usr/bin/env bash
# Installs what the FFI tests (scripts/test-ffi.sh) need: JNA for Kotlin on the JVM, JetBrains'
# Kotlin compiler (pinned, from npm, into bindings/tests/kotlin/node_modules) and pytest.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/share/java/jna.jar >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y libjna-java
fi

kotlin_dir=bindings/tests/kotlin
if [ ! -x "$kotlin_dir/node_modules/kotlin-compiler/bin/kotlinc" ]; then
    (cd "$kotlin_dir" && npm ci --no-audit --no-fund)
fi

if ! python3 -c 'import pytest' >/dev/null 2>&1; then
    python3 -m pip install --quiet 'pytest==8.4.2'
fi

# The Android check: Rust's standard library for aarch64-linux-android, and GNU's aarch64 C
# cross compiler as a stand-in for the NDK's clang (which cannot be installed here) to build the
# vendored C (SQLCipher, OpenSSL) far enough for `cargo check`. Nothing is linked. If rustup
# cannot reach its server, the check reports itself as not run.
if command -v rustup >/dev/null 2>&1 &&
    ! rustup target list --installed 2>/dev/null | grep -qx aarch64-linux-android; then
    rustup target add aarch64-linux-android ||
        echo "install-ffi-deps: could not add the aarch64-linux-android target; the Android check will not run"
fi
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y gcc-aarch64-linux-gnu
fi
