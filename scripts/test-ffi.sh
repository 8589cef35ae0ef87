#!/usr/bin/env bash
# Exercises the FFI surface (crate fieldbook-ffi) for real, from other languages:
#   1. builds the library once (debug, the shared target dir, features unified with the
#      workspace's test build so nothing compiles twice) and generates the Kotlin, Python
#      and Swift bindings from it with the crate's own uniffi-bindgen (`--library`);
#   2. Kotlin on the JVM: compiles and runs bindings/tests/kotlin/*.kt (kotlinx.coroutines +
#      JNA), compiling the Android samples SyncService.kt and LeadCapture.kt with it and running
#      them (the thin LeadCaptureViewModel.kt wrapper needs androidx, which is not here);
#   3. Python: pytest bindings/tests/python;
#   Both sync through the real fieldbook-sync-server (built here too, in the same target dir,
#   path in FIELDBOOK_SYNC_SERVER), which each test starts on 127.0.0.1 port 0 and kills.
#   4. Swift: no Swift toolchain here, so checks what can be checked: the generated C header
#      compiles, and every uniffi_/ffi_ function it declares is exported by the library;
#   5. Android: `cargo check --target aarch64-linux-android` (no NDK here: GNU's aarch64 C cross
#      compiler stands in for the vendored C, and nothing is linked).
# Ends with one line the CI reads: `ffi: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-ffi-deps.sh || { echo "ffi: 0 passed, 1 failed (dependencies)"; exit 1; }

target=${CARGO_TARGET_DIR:-$root/target}
lib="$target/debug/libfieldbook_ffi.so"
bindgen="$target/debug/uniffi-bindgen"
out="$target/ffi-test"
kotlin_home="$root/bindings/tests/kotlin/node_modules/kotlin-compiler"
passed=0
failed=0

count() { # count PASSED FAILED NAME
    passed=$((passed + $1))
    failed=$((failed + $2))
    echo "ffi: $3: $1 passed, $2 failed"
}

echo "== building fieldbook-ffi and fieldbook-sync-server (debug)"
# One build of the whole workspace with every target, so the crates' features are unified the
# same way as for `cargo nextest run --workspace`: after the test command's nextest step this
# reuses every compiled crate (a `-p fieldbook-ffi` build resolves other features and compiled
# ~80 crates again, ~5 minutes here). The sync tests need the server binary from it.
if ! cargo build --workspace --all-targets; then
    echo "ffi: 0 passed, 1 failed (build)"
    exit 1
fi
# The Kotlin and Python tests start it themselves (127.0.0.1, port 0) and kill it when done.
export FIELDBOOK_SYNC_SERVER="$target/debug/fieldbook-sync-server"

echo "== generating bindings into $out"
rm -rf "$out" && mkdir -p "$out"
for lang in kotlin python swift; do
    if ! "$bindgen" generate --library "$lib" --language "$lang" --out-dir "$out/$lang" --no-format; then
        echo "ffi: 0 passed, 1 failed (bindgen $lang)"
        exit 1
    fi
done

echo "== Kotlin (JVM)"
jna=/usr/share/java/jna.jar
cp="$jna:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
kt_log="$out/kotlin.log"
if "$kotlin_home/bin/kotlinc" -nowarn -cp "$cp" -d "$out/kotlin-test.jar" \
    "$out/kotlin/app/fieldbook/fieldbook_ffi.kt" bindings/tests/kotlin/FieldbookTest.kt \
    bindings/tests/kotlin/SyncTest.kt mobile-demo/android/SyncService.kt \
    mobile-demo/android/LeadCapture.kt; then
    java -Djna.library.path="$target/debug" -Djna.boot.library.path=/usr/lib/jni \
        -cp "$out/kotlin-test.jar:$cp:$kotlin_home/lib/kotlin-stdlib.jar" FieldbookTestKt \
        2>&1 | tee "$kt_log"
    summary=$(grep -Eo 'kotlin: [0-9]+ passed, [0-9]+ failed' "$kt_log" | tail -1)
    if [ -n "$summary" ]; then
        read -r p f < <(echo "$summary" | sed -E 's/kotlin: ([0-9]+) passed, ([0-9]+) failed/\1 \2/')
        count "$p" "$f" kotlin
    else
        count 0 1 "kotlin (did not finish)"
    fi
else
    count 0 1 "kotlin (compile)"
fi

echo "== Python (pytest)"
cp "$lib" "$out/python/"
py_log="$out/python.log"
PYTHONPATH="$out/python" python3 -m pytest -q -p no:cacheprovider bindings/tests/python 2>&1 | tee "$py_log"
p=$(grep -Eo '[0-9]+ passed' "$py_log" | tail -1 | grep -Eo '[0-9]+' || true)
f=$(grep -Eo "[0-9]+ (failed|error)" "$py_log" | awk "{s+=\$1} END {print s+0}")
count "${p:-0}" "${f:-0}" python
[ "${p:-0}" -gt 0 ] || count 0 1 "python (no test ran)"

echo "== Swift (no toolchain here: header and symbols only)"
header="$out/swift/FieldbookFFI.h"
# The header uses clang's nullability qualifiers (Swift compiles it with clang); gcc, the only C
# compiler here, is told they are empty.
if command -v clang >/dev/null 2>&1; then hcc=(clang); else
    hcc=(cc -D_Nonnull= -D_Nullable= -D_Null_unspecified=); fi
if echo '#include "FieldbookFFI.h"' | "${hcc[@]}" -fsyntax-only -Wall -Werror -I "$out/swift" -x c -; then count 1 0 "swift header compiles"; else count 0 1 "swift header compiles"; fi
declared=$(grep -Eo '\b(uniffi|ffi)_[A-Za-z0-9_]+[[:space:]]*\(' "$header" | tr -d '( \t' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
n_declared=$(echo "$declared" | grep -c . || true)
if [ "$n_declared" -gt 0 ] && [ -z "$missing" ]; then
    count 1 0 "swift: all $n_declared declared functions exported"
else
    echo "declared but not exported:"; echo "$missing"
    count 0 1 "swift symbols"
fi

echo "== Android"
# Type-checks the whole crate graph for aarch64-linux-android. The NDK cannot be installed here,
# so GNU's aarch64 cross compiler stands in for its clang to build the vendored C (SQLCipher,
# OpenSSL) that the check needs; nothing is linked, so no Android library is produced. The
# target dir is a cache outside the clone (its C build takes minutes the first time only).
android_target=${FIELDBOOK_ANDROID_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fieldbook/android-check}
if rustup target list --installed 2>/dev/null | grep -qx aarch64-linux-android &&
    command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    if CARGO_TARGET_DIR="$android_target" \
        CC_aarch64_linux_android=aarch64-linux-gnu-gcc AR_aarch64_linux_android=aarch64-linux-gnu-ar \
        cargo check -p fieldbook-ffi --lib --target aarch64-linux-android; then
        count 1 0 "android: cargo check --target aarch64-linux-android (not linked: no NDK here)"
    else
        count 0 1 "android cargo check"
    fi
else
    echo "ffi: android: not run: the aarch64-linux-android target or the aarch64 C cross compiler is not installed (and no NDK exists here, so linking is out of reach)"
fi

echo "ffi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
