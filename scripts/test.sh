#!/bin/sh
# Runs every test: the layer check of core/src, Check unit suites (normal
# and ASan+UBSan builds), integration tests against the sanitized server,
# browser tests, the SDK and Debian packages (tests/sdk), and each libFuzzer harness for FUZZ_TEST_SECONDS (6) after its regressions.
# Usage: scripts/test.sh BUILD_DIR ASAN_BUILD_DIR [FUZZ_BUILD_DIR]
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

# What a failed step's log says of its failures: node's list of failing
# tests with their messages (stack lines left out), ctest's failed tests.
summarize() {
    for log in $failures; do
        echo "--- $(cat "$log.name")"
        if grep -q 'failing tests:' "$log"; then
            sed -n '/failing tests:/,$p' "$log" | grep -v '^ *at ' | head -80
        else
            grep -E 'Failed|FAILED|\*\*\*|Error|error:' "$log" | head -40
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
step "unit tests" sh -c "cd $build && ctest --output-on-failure -j 2"
step "unit tests (ASan+UBSan)" sh -c "cd $asan && ctest --output-on-failure -j 2"
# Integration files whose tests bound a time (a frame gap while the disk
# stalls, video back within 3 s, pacing, a main loop that must not stall)
# run one at a time, after the others, which run two at a time (most of
# their time is spent waiting on sockets and timers). A new file whose tests
# bound a time goes in the list. The two that spend a minute waiting (a 60 s
# recording, a minute-long camera outage) run beside each other first: each
# is idle most of that minute.
long="recording camera-return"
timed="slow-disk slow-client queue-budget queue-snapshot cctv replay recording-load plugin-abi \
    rate-limit store-crash lifecycle auth-token-checks alarms cluster-nodes"
long_files=""
timed_files=""
other_files=""
for f in tests/integration/*.test.js; do
    name=$(basename "$f" .test.js)
    case " $(echo $long) " in *" $name "*) long_files="$long_files $f"; continue ;; esac
    case " $(echo $timed) " in
    *" $name "*) timed_files="$timed_files $f" ;;
    *) other_files="$other_files $f" ;;
    esac
done
integration() {
    export PANTAU_BIN="$root/$asan/core/pantau" PANTAU_PLUGIN_DIR="$root/$asan/lib/pantau/plugins"
    rc=0
    # shellcheck disable=SC2086 # one argument per file
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=2 --test-reporter=spec $other_files || rc=1
    # shellcheck disable=SC2086
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=2 --test-reporter=spec $long_files || rc=1
    # shellcheck disable=SC2086
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 --test-reporter=spec $timed_files || rc=1
    return $rc
}
step "integration tests (ASan+UBSan server)" integration
step "browser tests" env PANTAU_BIN="$root/$build/core/pantau" \
    PANTAU_PLUGIN_DIR="$root/$build/lib/pantau/plugins" \
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 --test-reporter=spec tests/browser/
# The SDK installed into a temporary prefix with out-of-tree plugins built
# against it, and the Debian packages installed and purged (root only):
# tests/sdk, on the normal build.
step "SDK and packages" env PANTAU_BUILD_DIR="$root/$build" \
    node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 --test-reporter=spec tests/sdk/
# Its own build directory: clang, instrumented for libFuzzer (tests/fuzz).
step "fuzz harnesses (${FUZZ_TEST_SECONDS:-6} s each)" sh -c "CC=clang cmake -S . -B $fuzz \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANTAU_FUZZ=ON >/dev/null && \
    cmake --build $fuzz -j 2 --target fuzzers && sh tests/fuzz/run.sh $fuzz ${FUZZ_TEST_SECONDS:-6}"

if [ "$failed" -gt 0 ]; then
    echo "=== what failed"
    summarize
fi
echo "test suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
