#!/bin/sh
# make bench: wall-event fan-out latency, pantau vs a plain Node.js ws server.
#   sh bench/run.sh BUILD_DIR
# Loopback only, stops by itself (bounded at 170 s). See bench/README.md.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}

# 500 clients + their server-side ends: raise the descriptor limit as far as
# allowed (pantau and the peer inherit it from here).
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then
    ulimit -n 65536
else
    ulimit -n "$hard"
fi
if [ "$(ulimit -n)" -lt 1024 ]; then
    echo "bench: open-file limit is $(ulimit -n); need at least 1024 for 500 clients" >&2
    exit 1
fi

exec node bench/bench.js "$BUILD_DIR"
