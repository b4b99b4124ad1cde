#!/bin/sh
# Runs every test: the layer check of core/src, Check unit suites (normal
# and ASan+UBSan builds), integration tests against the sanitized server,
# browser tests, the SDK and Debian packages (tests/sdk), and each libFuzzer
# harness for FUZZ_TEST_SECONDS (6) after its regressions.
# Usage: scripts/test.sh BUILD_DIR ASAN_BUILD_DIR [FUZZ_BUILD_DIR]
#
# Two cores must run it all in under 20 minutes. Most tests wait on sockets
# and timers, so the steps are laid out by what they cost (figures of a
# fresh-clone run, wall and CPU):
# - the plain unit tests (53 s, 25 s of CPU) run beside the sanitized ones
#   (97 s, 111 s of CPU);
# - the fuzz harnesses (their clang build and the runs: about 4 CPU-minutes,
#   no timing) run in the background at idle priority (SCHED_IDLE) from the
#   start, on the CPU the unit and integration tests leave unused; the
#   browser tests wait for them;
# - integration files are grouped by how much CPU they use and whether they
#   bound a time (below).
set -u
cd "$(dirname "$0")/.."
build=$1
asan=$2
fuzz=${3:-build-fuzz}
root=$(pwd)
failed=0
passed=0
# Each step's output, so that the end can repeat what failed (a CI log may
# show only its last lines).
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failures=""

step() {
    name=$1
    shift
    echo "=== $name"
    started=$(date +%s)
    log="$logs/$((passed + failed)).log"
    echo "$name" >"$log.name"
    { "$@"; echo $? >"$log.rc"; } 2>&1 | tee "$log"
    if [ "$(cat "$log.rc")" = 0 ]; then
        passed=$((passed + 1))
        echo "=== $name: passed in $(($(date +%s) - started)) s"
    else
        failed=$((failed + 1))
        failures="$failures $log"
        echo "=== $name: FAILED after $(($(date +%s) - started)) s"
    fi
}

# Starts a step in the background ("step_bg NAME COMMAND..."): its output
# goes to its log, which step_join prints, counting the step, when it is over.
bg_pid=""
bg_log=""
step_bg() {
    name=$1
    shift
    echo "=== $name: started in the background"
    bg_log="$logs/bg.log"
    echo "$name" >"$bg_log.name"
    date +%s >"$bg_log.started"
    { "$@"; echo $? >"$bg_log.rc"; } >"$bg_log" 2>&1 &
    bg_pid=$!
}

step_join() {
    [ -n "$bg_pid" ] || return 0
    waited=$(date +%s)
    wait "$bg_pid"
    name=$(cat "$bg_log.name")
    echo "=== $name (in the background; waited $(($(date +%s) - waited)) s for it)"
    cat "$bg_log"
    final="$logs/$((passed + failed)).log"
    mv "$bg_log" "$final"
    mv "$bg_log.name" "$final.name"
    if [ "$(cat "$bg_log.rc" 2>/dev/null)" = 0 ]; then
        passed=$((passed + 1))
        echo "=== $name: passed in $(($(date +%s) - $(cat "$bg_log.started"))) s"
    else
        failed=$((failed + 1))
        failures="$failures $final"
        echo "=== $name: FAILED after $(($(date +%s) - $(cat "$bg_log.started"))) s"
    fi
    bg_pid=""
}

# What a failed step's log says of its failures, short enough for the end
# of a CI log: of node's lists of failing tests, each test's place, name
# and the first lines of its message (no stacks, no error fields); of
# ctest, its failed tests.
summarize() {
    for log in $failures; do
        echo "--- $(cat "$log.name")"
        if grep -q 'failing tests:' "$log"; then
            awk '/failing tests:/ { inlist = 1; next }
                 inlist && /^(ℹ|▶|✔|---|===) / { inlist = 0 }
                 !inlist { next }
                 /^test at / { print; msg = 0; next }
                 /^✖ / { print; msg = 3; next }
                 msg > 0 && /^ +at / { msg = 0; next }
                 msg > 0 && /^ +[a-zA-Z]+: .*,$|^ +[{}]$/ { next }
                 msg > 0 && NF { print; msg-- }' "$log" | head -60
        else
            grep -E 'FAIL|Failed|\*\*\*|Error|error:' "$log" | head -60
        fi
    done
}

# Full stacks on malloc, so that suppressions can name the library that
# really allocated (tests/lsan.supp), never a whole framework.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Every node --test run: a file whose tests are done exits even when
# something of it still runs (a server its failed hook did not stop kept
# make test waiting for ever), and a test that hangs fails after 5 minutes
# (the longest takes about 70 s).

# Calls go only downward in core/src (docs/architecture.md).
step "layer check" python3 scripts/check-layers.py

# The fuzz harnesses in their own build directory (clang, instrumented for
# libFuzzer: tests/fuzz), at idle priority: they take only the CPU no test
# wants, so an input may wait for it far longer than it runs
# (FUZZ_UNIT_TIMEOUT: a hang is one past 120 s instead of 10).
idle="chrt --idle 0"
$idle true 2>/dev/null || idle="nice -n 19"
step_bg "fuzz harnesses (${FUZZ_TEST_SECONDS:-6} s each)" $idle sh -c "CC=clang cmake -S . -B $fuzz \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANTAU_FUZZ=ON >/dev/null && \
    cmake --build $fuzz -j 2 --target fuzzers && \
    FUZZ_UNIT_TIMEOUT=120 sh tests/fuzz/run.sh $fuzz ${FUZZ_TEST_SECONDS:-6}"

# The plain build's unit tests beside the sanitized ones: the slowest of
# both wait on sockets (the RTSP probes), and the plain ones use a quarter
# of a core.
unit_tests() {
    plain_log="$logs/unit-plain.txt"
    (cd "$build" && ctest --output-on-failure -j 2) >"$plain_log" 2>&1 &
    plain=$!
    rc=0
    (cd "$asan" && ctest --output-on-failure -j 2) || rc=1
    wait "$plain" || rc=1
    echo "--- the plain build's unit tests (run beside the sanitized ones)"
    cat "$plain_log"
    return $rc
}
step "unit tests (ASan+UBSan, and the plain build beside)" unit_tests

# Integration files, in two runs side by side:
# - those whose tests bound a time and need the CPU for it (a 50 ms ping
#   while the disk stalls, video back within 3 s, pacing, a main loop that
#   must not stall, 50 restarts), one at a time, then those that mostly
#   wait (a 60 s recording, a minute-long camera outage, clients that stall
#   until the queue budget cuts them) three at a time, at normal priority:
#   they use about a third of the machine;
# - beside them at nice 10, taking what they leave, the other files two at
#   a time. Their bounds are generous (a server starts within 30 s): they
#   wait for the CPU when the others want it.
# One after the other they took 640 s, side by side 381-443 s.
# A new file whose tests bound a time goes in one of the lists.
waiting="recording camera-return queue-budget"
timed="slow-disk slow-client queue-snapshot cctv replay recording-load plugin-abi rate-limit store-crash \
    lifecycle auth-token-checks alarms cluster-nodes"
waiting_files=""
timed_files=""
other_files=""
for f in tests/integration/*.test.js; do
    name=$(basename "$f" .test.js)
    case " $(echo $waiting) " in *" $name "*) waiting_files="$waiting_files $f"; continue ;; esac
    case " $(echo $timed) " in
    *" $name "*) timed_files="$timed_files $f" ;;
    *) other_files="$other_files $f" ;;
    esac
done
node_test="node --test --test-force-exit --test-timeout=300000 --test-reporter=spec"
integration() {
    export PANTAU_BIN="$root/$asan/core/pantau" PANTAU_PLUGIN_DIR="$root/$asan/lib/pantau/plugins"
    beside_log="$logs/integration-beside.txt"
    # shellcheck disable=SC2086 # one argument per file
    nice -n 10 $node_test --test-concurrency=2 $other_files >"$beside_log" 2>&1 &
    beside=$!
    rc=0
    # shellcheck disable=SC2086
    $node_test --test-concurrency=1 $timed_files || rc=1
    # shellcheck disable=SC2086
    $node_test --test-concurrency=3 $waiting_files || rc=1
    wait "$beside" || rc=1
    echo "--- the other files, run beside those (at nice 10)"
    cat "$beside_log"
    return $rc
}
step "integration tests (ASan+UBSan server)" integration
# The SDK installed into a temporary prefix with out-of-tree plugins built
# against it, and the Debian packages installed and purged (root only):
# tests/sdk, on the normal build.
step "SDK and packages" env PANTAU_BUILD_DIR="$root/$build" \
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 --test-reporter=spec tests/sdk/
step "browser tests" env PANTAU_BIN="$root/$build/core/pantau" \
    PANTAU_PLUGIN_DIR="$root/$build/lib/pantau/plugins" \
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 --test-reporter=spec tests/browser/
# The fuzz harnesses, at idle priority, ran in what the tests left of the
# CPU (Chromium leaves little: their runs last their seconds whatever CPU
# they get, with fewer inputs).
step_join

if [ "$failed" -gt 0 ]; then
    echo "=== what failed"
    summarize
fi
echo "test suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
