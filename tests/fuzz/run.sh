#!/bin/sh
# Runs the libFuzzer harnesses built in BUILD_DIR (tests/fuzz/fuzz_*): each
# first replays its committed regressions (tests/fuzz/regressions/<harness>/),
# then fuzzes for SECONDS from its seed corpus (tests/fuzz/corpus/<harness>/,
# only read: new inputs go to the work directory). Two harnesses run at a
# time (FUZZ_JOBS). Exits non-zero when any harness crashes, leaks, hangs or
# fails a regression; the crashing input is kept in BUILD_DIR/fuzz-artifacts/.
#
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [HARNESS...]
#   FUZZ_WORK=DIR keeps the inputs found in DIR/<harness>/ (make fuzz keeps
#   them in BUILD_DIR/corpus); without it they go to a temporary directory.
#   FUZZ_UNIT_TIMEOUT=S: an input running longer is a hang (default 10; make
#   test runs the harnesses at idle priority beside other tests, where a
#   harness may wait for the CPU far longer than any input takes).
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)

# ---- one harness (run by the loop below through xargs) ----
if [ "${1:-}" = --one ]; then
    bin=$2 seconds=$3 work=$4 scratch=$5 artifacts=$6
    name=$(basename "$bin")
    log=$work/$name.log
    mkdir -p "$work/$name/new" "$scratch/$name" "$artifacts/$name"
    # The harness's scratch files (and a crashed run's) stay in scratch.
    export TMPDIR="$scratch/$name"
    status=0
    failing="the input is in $artifacts/$name/"
    regressions=$(find "$root/tests/fuzz/regressions/$name" -type f 2>/dev/null | sort)
    if [ -n "$regressions" ]; then
        # shellcheck disable=SC2086 # one argument per file
        "$bin" -artifact_prefix="$artifacts/$name/" $regressions >"$log" 2>&1 || status=1
        failing="a committed regression fails (the last 'Running:' line)"
    fi
    if [ "$status" = 0 ]; then
        dict=
        [ -f "$root/tests/fuzz/$name.dict" ] && dict=-dict=$root/tests/fuzz/$name.dict
        "$bin" -max_total_time="$seconds" -timeout="${FUZZ_UNIT_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$artifacts/$name/" $dict "$work/$name/new" \
            "$root/tests/fuzz/corpus/$name" >>"$log" 2>&1 || status=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 | sed -E 's/.* cov: ([0-9]+) ft: ([0-9]+).*/cov \1, ft \2/')
    rmdir "$artifacts/$name" 2>/dev/null
    if [ "$status" = 0 ]; then
        echo "$name: ok, ${execs:-?} executions in ${seconds} s, ${cov:-no coverage line}"
        exit 0
    fi
    echo "$name: FAILED (log below; $failing)"
    grep -v '^#[0-9]' "$log" | tail -n 60 | sed 's/^/    /'
    exit 1
fi

if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [HARNESS...]" >&2
    exit 2
fi
build=$1
seconds=$2
shift 2
case $build in /*) ;; *) build=$root/$build ;; esac
bins=""
if [ $# -gt 0 ]; then
    for h in "$@"; do bins="$bins $build/tests/fuzz/$h"; done
else
    bins=$(ls "$build"/tests/fuzz/fuzz_* 2>/dev/null)
fi
for b in $bins; do
    if [ ! -x "$b" ]; then
        echo "fuzz: no harness $b (build it: make fuzz)" >&2
        exit 2
    fi
done
[ -n "$bins" ] || { echo "fuzz: no harness in $build/tests/fuzz" >&2; exit 2; }

# Scratch space on tmpfs when there is one: the harnesses write state files
# (and the server fsyncs them).
base=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
scratch=$(mktemp -d "$base/pantau-fuzz-run-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM HUP PIPE
work=${FUZZ_WORK:-$scratch/work}
mkdir -p "$work"
artifacts=$build/fuzz-artifacts

# Leaks checked, with the project's narrow suppressions; but the fast
# unwinder on malloc (not scripts/test.sh's slow one, which costs the
# harnesses 8x their executions). The slice allocator off, so that ASan sees
# every GLib allocation.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export G_SLICE=always-malloc

echo "fuzz: $(echo $bins | wc -w) harnesses, $seconds s each, ${FUZZ_JOBS:-2} at a time"
failed=0
# shellcheck disable=SC2086
printf '%s\n' $bins | xargs -P "${FUZZ_JOBS:-2}" -I{} sh "$root/tests/fuzz/run.sh" --one {} \
    "$seconds" "$work" "$scratch" "$artifacts" || failed=1
[ "$failed" = 0 ] && echo "fuzz: every harness passed" || echo "fuzz: FAILED"
exit "$failed"
