#!/bin/sh
# Builds the release binary, then runs the console latency benchmark against it.
# Extra arguments go to console_latency.py (e.g. --sizes 120x40 --budget 60 --json /tmp/r.json).
# Set BENCH_NO_BUILD=1 to skip the build.
set -e
cd "$(dirname "$0")/.."
if [ -z "$BENCH_NO_BUILD" ]; then
    swift build -c release --product wamod >&2
fi
exec python3 bench/console_latency.py --binary .build/release/wamod "$@"
