#!/bin/bash
# Profiling wrapper for the Fieldbook server (docs/benchmarks.md, issue 16): set
# FIELDBOOK_SYNC_SERVER_BIN to this script and REAL_SERVER_BIN to the server binary; the
# server then runs under valgrind (VG_TOOL, default callgrind; VG_ARGS more options) when it
# serves (--listen), and plainly for its other commands (add-device). valgrind runs in the
# background so that a SIGKILL of this wrapper (TestServer::stop) leaves it alive: stop it with
# SIGTERM (its pid is appended to $VG_DIR/vg-pids) and it writes its profile.
BIN=${REAL_SERVER_BIN:?set REAL_SERVER_BIN to the server binary}
DIR=${VG_DIR:-/tmp}
case " $* " in
  *" --listen "*)
    # shellcheck disable=SC2086
    valgrind --tool="${VG_TOOL:-callgrind}" ${VG_ARGS} --log-file="$DIR/vg-%p.log" "$BIN" "$@" &
    echo $! >> "$DIR/vg-pids"
    wait ;;
  *) exec "$BIN" "$@" ;;
esac
