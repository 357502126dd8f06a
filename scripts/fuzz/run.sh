#!/usr/bin/env bash
# libFuzzer targets for GatewayKit's parsers: the JID parser, JSONValue, and each dialect's
# decoders of a gateway's answers. See scripts/fuzz/README.md.
#
#   scripts/fuzz/run.sh TARGET [SECONDS]     build one target and fuzz it (default 600 s)
#   scripts/fuzz/run.sh all [SECONDS]        every target in turn, SECONDS each
#   scripts/fuzz/run.sh build TARGET|all     only build
#   scripts/fuzz/run.sh repro TARGET FILE    run one input and print its stack
#   scripts/fuzz/run.sh minimize TARGET FILE [SECONDS]   shrink a crashing input (default 60 s)
#   scripts/fuzz/run.sh list                 the targets
#
# Targets: jid json v1 wasend waha wuts wawp evolution.
#
# Everything is written under .build-fuzz/ (git-ignored): src/ (the snapshot of the sources a
# binary was built from), bin/, corpus/<target>/, artifacts/<target>/, logs/.
# The fuzzer runs under `nice -n 19`; builds too.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_OUT (default .build-fuzz), FUZZ_SANITIZE (default fuzzer,address; `fuzzer` alone works
# too), FUZZ_MAX_LEN (4096), FUZZ_TIMEOUT (per input, 10 s), FUZZ_BUILD_RETRIES (5) and
# FUZZ_BUILD_WAIT (60 s) for sources that do not compile at the moment (others edit them),
# FUZZ_MAX_RESTARTS (20): after a crash the target goes on for the rest of its time, at most
# this many times.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/fuzz"
OUT=${FUZZ_OUT:-"$ROOT/.build-fuzz"}
SANITIZE=${FUZZ_SANITIZE:-fuzzer,address}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
TIMEOUT=${FUZZ_TIMEOUT:-10}
BUILD_RETRIES=${FUZZ_BUILD_RETRIES:-5}
BUILD_WAIT=${FUZZ_BUILD_WAIT:-60}
MAX_RESTARTS=${FUZZ_MAX_RESTARTS:-20}
TARGETS=(jid json v1 wasend waha wuts wawp evolution)
# The statuses a dialect target's first byte picks from (FuzzCommon.swift, same order).
STATUSES=(200 201 204 400 401 403 404 422 429 500 502)

if [[ -z "${SWIFTC:-}" ]]; then
    if command -v swiftc >/dev/null 2>&1; then SWIFTC=$(command -v swiftc); else SWIFTC=/opt/swift/usr/bin/swiftc; fi
fi
# The symbolizer next to the compiler gives file:line in crash stacks.
SWIFT_BIN=$(dirname "$SWIFTC")
[[ -x "$SWIFT_BIN/llvm-symbolizer" ]] && export ASAN_SYMBOLIZER_PATH="$SWIFT_BIN/llvm-symbolizer"
export PATH="$SWIFT_BIN:$PATH"

die() { echo "run.sh: $*" >&2; exit 2; }

harness_for() {
    case "$1" in
        jid) echo FuzzJID.swift ;;
        json) echo FuzzJSON.swift ;;
        v1) echo FuzzV1.swift ;;
        wasend) echo FuzzWasend.swift ;;
        waha) echo FuzzWAHA.swift ;;
        wuts) echo FuzzWUTS.swift ;;
        wawp) echo FuzzWawp.swift ;;
        evolution) echo FuzzEvolution.swift ;;
        *) return 1 ;;
    esac
}

check_target() { harness_for "$1" >/dev/null || die "unknown target '$1' (targets: ${TARGETS[*]})"; }

# A consistent copy of the sources: others edit Sources/ while a build runs.
snapshot() {
    local target=$1 src="$OUT/src/$1"
    rm -rf "$src"
    mkdir -p "$src/Sources" "$src/scripts/fuzz"
    cp -R "$ROOT/Sources/GatewayKit" "$src/Sources/GatewayKit"
    # The model is its own target in the package; here it is compiled into the one module,
    # so the file that re-exports it goes.
    cp -R "$ROOT/Sources/WamodModel" "$src/Sources/WamodModel"
    rm -f "$src/Sources/GatewayKit/Model/Exports.swift"
    cp "$HERE/FuzzCommon.swift" "$HERE/$(harness_for "$target")" "$src/scripts/fuzz/"
}

fingerprint() {
    local src="$OUT/src/$1"
    { echo "$SWIFTC $SANITIZE"; (cd "$src" && find . -name '*.swift' | LC_ALL=C sort | xargs sha256sum); } | sha256sum | cut -d' ' -f1
}

build() {
    local target=$1 attempt=1
    local bin="$OUT/bin/fuzz-$target" log="$OUT/logs/build-$target.log"
    mkdir -p "$OUT/bin" "$OUT/logs"
    while :; do
        snapshot "$target"
        local src="$OUT/src/$target" fp
        fp=$(fingerprint "$target")
        if [[ -x "$bin" && -f "$bin.fingerprint" && "$(cat "$bin.fingerprint")" == "$fp" ]]; then
            echo "== $target: binary up to date ($bin)"
            return 0
        fi
        echo "== $target: building (attempt $attempt, -sanitize=$SANITIZE) ..."
        local files
        mapfile -t files < <(cd "$src" && find Sources/WamodModel Sources/GatewayKit scripts/fuzz -name '*.swift' | LC_ALL=C sort)
        local started=$SECONDS
        if (cd "$src" && nice -n 19 "$SWIFTC" -sanitize="$SANITIZE" -parse-as-library -O -g \
                -module-name GatewayKit -use-ld=lld "${files[@]}" -o "$bin.tmp") >"$log" 2>&1; then
            mv "$bin.tmp" "$bin"
            echo "$fp" > "$bin.fingerprint"
            echo "== $target: built in $((SECONDS - started)) s: $bin"
            return 0
        fi
        echo "== $target: build failed (log $log):"
        grep -m 5 'error:' "$log" | sed 's/^/   /'
        if (( attempt >= BUILD_RETRIES )); then
            echo "== $target: giving up after $attempt attempts"
            return 1
        fi
        attempt=$((attempt + 1))
        echo "== $target: the sources may be mid-edit; retrying in $BUILD_WAIT s"
        sleep "$BUILD_WAIT"
    done
}

# The committed seeds, as corpus files: a dialect's seed NNN-name.* becomes the status byte
# (its index in STATUSES) followed by the body.
seed_corpus() {
    local target=$1 corpus="$OUT/corpus/$1" f name status i
    mkdir -p "$corpus"
    for f in "$HERE/seeds/$target"/*; do
        [[ -f "$f" ]] || continue
        name=$(basename "$f")
        case "$target" in
            jid|json) cp "$f" "$corpus/seed-$name" ;;
            *)
                status=${name%%-*}
                for i in "${!STATUSES[@]}"; do
                    if [[ "${STATUSES[$i]}" == "$status" ]]; then
                        { printf "\\$(printf '%03o' "$i")"; cat "$f"; } > "$corpus/seed-$name"
                        continue 2
                    fi
                done
                echo "   (seed $name: no status '$status' in ${STATUSES[*]}; skipped)"
                ;;
        esac
    done
}

# The stack of a crash, shortened to GatewayKit's and the harness's frames, paths as in the repo.
top_frames() {
    local target=$1 log=$2
    grep -E '^ +#[0-9]+ 0x' "$log" | sed -n '1,40p' | grep -vE 'libFuzzer|compiler-rt|FuzzerLoop|FuzzerDriver|libc_start|_start ' \
        | sed -e "s#$OUT/src/$target/##g" | sed -n '1,12p'
}

fuzz() {
    local target=$1 seconds=$2
    local bin="$OUT/bin/fuzz-$target" corpus="$OUT/corpus/$target" arts="$OUT/artifacts/$target"
    local stamp; stamp=$(date -u +%Y%m%dT%H%M%SZ)
    local log="$OUT/logs/run-$target-$stamp.log"
    mkdir -p "$arts" "$OUT/logs"
    seed_corpus "$target"
    echo "== $target: fuzzing for $seconds s (log $log)"
    local remaining=$seconds total_units=0 runs=0 crashes=0 started=$SECONDS
    local -a found=()
    while (( remaining > 0 )); do
        runs=$((runs + 1))
        local seg="$log.$runs" t0=$SECONDS rc
        # SWIFT_BACKTRACE off: libFuzzer's own handler reports the crash and writes the input.
        nice -n 19 env SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:handle_sigill=1}" \
            "$bin" -max_total_time="$remaining" -print_final_stats=1 -max_len="$MAX_LEN" -timeout="$TIMEOUT" \
            -rss_limit_mb=2048 -artifact_prefix="$arts/" "$corpus" >"$seg" 2>&1
        rc=$?
        cat "$seg" >> "$log"
        local units
        units=$(grep -m1 'stat::number_of_executed_units' "$seg" | awk '{print $2}')
        total_units=$((total_units + ${units:-0}))
        grep '^stat::' "$seg" | sed "s/^/   [$target run $runs] /"
        remaining=$((seconds - (SECONDS - started)))
        if (( rc == 0 )); then break; fi
        local art
        art=$(grep -o 'Test unit written to [^ ]*' "$seg" | tail -1 | sed 's/Test unit written to //')
        if [[ -z "$art" ]]; then
            echo "== $target: the fuzzer stopped with status $rc and no reproducer; see $seg"
            tail -20 "$seg" | sed 's/^/   /'
            break
        fi
        crashes=$((crashes + 1))
        found+=("$art")
        echo "== $target: CRASH ($(grep -m1 -E '^SUMMARY:|ERROR: libFuzzer' "$seg" || echo "status $rc")) after $((SECONDS - t0)) s"
        echo "   reproducer: $art"
        echo "   input (escaped): $(head -c 300 "$art" | od -An -c | tr -s ' ' | tr -d '\n' | head -c 400)"
        top_frames "$target" "$seg" | sed 's/^/   /'
        if (( crashes >= MAX_RESTARTS )); then echo "== $target: $crashes crashes, stopping"; break; fi
        if (( remaining > 0 )); then echo "== $target: going on for the remaining $remaining s"; fi
    done
    local files; files=$(find "$corpus" -type f | wc -l)
    echo "== $target: done: $((SECONDS - started)) s, $total_units executions (stat::number_of_executed_units over $runs run(s)), corpus $files files ($(du -sh "$corpus" | cut -f1)), crashes: $crashes"
    for art in "${found[@]}"; do echo "   crash reproducer: $art   (scripts/fuzz/run.sh repro $target $art)"; done
    echo "$stamp $target seconds=$((SECONDS - started)) executions=$total_units corpus=$files crashes=$crashes ${found[*]:-}" >> "$OUT/logs/summary.txt"
}

repro() {
    local target=$1 file=$2
    [[ -f "$file" ]] || die "no such file: $file"
    build "$target" || exit 1
    echo "== input (hex):"; od -An -tx1 "$file" | head -20
    echo "== $target on $file:"
    # libFuzzer's handler symbolizes the stack (file:line); Swift's own backtracer is left off,
    # as under ASan it can outlive the crashed process and hold its output open.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:handle_sigill=1}" \
        "$OUT/bin/fuzz-$target" "$file" 2>&1 | sed -e "s#$OUT/src/$target/##g"
}

minimize() {
    local target=$1 file=$2 seconds=${3:-60}
    [[ -f "$file" ]] || die "no such file: $file"
    build "$target" || exit 1
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:handle_sigill=1}" \
        nice -n 19 "$OUT/bin/fuzz-$target" -minimize_crash=1 -max_total_time="$seconds" -timeout="$TIMEOUT" \
        -exact_artifact_path="$file.min" "$file" >"$file.min.log" 2>&1
    if [[ -f "$file.min" ]]; then
        echo "== minimized: $file.min ($(wc -c < "$file.min") bytes, from $(wc -c < "$file"))"
        od -An -c "$file.min" | head -10
    else
        echo "== could not minimize (log $file.min.log)"; tail -5 "$file.min.log"
    fi
}

cmd=${1:-}
case "$cmd" in
    ""|-h|--help|help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    build)
        [[ -n "${2:-}" ]] || die "build TARGET|all"
        if [[ "$2" == all ]]; then for t in "${TARGETS[@]}"; do build "$t" || exit 1; done
        else check_target "$2"; build "$2" || exit 1; fi ;;
    repro) [[ $# -ge 3 ]] || die "repro TARGET FILE"; check_target "$2"; repro "$2" "$3" ;;
    minimize) [[ $# -ge 3 ]] || die "minimize TARGET FILE [SECONDS]"; check_target "$2"; minimize "$2" "$3" "${4:-60}" ;;
    all)
        seconds=${2:-600}
        for t in "${TARGETS[@]}"; do
            if build "$t"; then fuzz "$t" "$seconds"; else echo "== $t: not fuzzed (build failed)"; fi
        done ;;
    *)
        check_target "$cmd"
        seconds=${2:-600}
        [[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number"
        build "$cmd" || exit 1
        fuzz "$cmd" "$seconds" ;;
esac
