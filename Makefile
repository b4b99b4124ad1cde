# make run: set up, build and start pantau on config/pantau.json (no hardware needed).
# make test: set up, build (normal and sanitized), run every test.
# make fuzz: build the libFuzzer harnesses (clang) and run each FUZZ_SECONDS.
# make soak: build, then a soak of SOAK_MINUTES (default and most 60); not in CI.
# make screenshots: build, then take the README's pictures into docs/screenshots/.
# make install: build, then install into PREFIX (default /usr/local; config in PREFIX/etc/pantau).
# make deb: build, then the Debian packages pantau and pantau-dev into $(BUILD)/packages/.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PORT ?= 8080
JOBS ?= 2
SOAK_MINUTES ?= 60
PREFIX ?= /usr/local

.PHONY: all setup build build-asan build-fuzz run test test-unit test-asan test-integration test-browser fuzz bench bench-cluster soak screenshots format clean \
	install deb

all: build

setup:
	@sh scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPANTAU_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

# The harnesses only (target fuzzers), clang with libFuzzer, ASan and UBSan.
build-fuzz: setup
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPANTAU_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

run: build
	@mkdir -p $(BUILD)/state
	@$(BUILD)/core/pantau --config config/pantau.json --state-dir $(BUILD)/state --port $(PORT)

test: build build-asan
	@sh scripts/test.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-integration: build
	@PANTAU_BIN=$(CURDIR)/$(BUILD)/core/pantau PANTAU_PLUGIN_DIR=$(CURDIR)/$(BUILD)/lib/pantau/plugins node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 tests/integration/

test-browser: build
	@PANTAU_BIN=$(CURDIR)/$(BUILD)/core/pantau PANTAU_PLUGIN_DIR=$(CURDIR)/$(BUILD)/lib/pantau/plugins node --test --test-force-exit --test-timeout=300000 --test-concurrency=1 tests/browser/

# Each harness FUZZ_SECONDS (make fuzz FUZZ_SECONDS=600); the inputs found
# are kept in $(FUZZ_BUILD)/corpus, never in the repository.
fuzz: build-fuzz
	@FUZZ_WORK=$(CURDIR)/$(FUZZ_BUILD)/corpus FUZZ_JOBS=$(JOBS) sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@sh bench/run.sh $(BUILD)

bench-media: build
	@sh bench/media-run.sh $(BUILD)

# Issue 17: a change on node A seen by every client of node B, against one node.
bench-cluster: build
	@node bench/cluster.js $(BUILD)

soak: build
	@SOAK_MINUTES=$(SOAK_MINUTES) PANTAU_BIN=$(CURDIR)/$(BUILD)/core/pantau PANTAU_PLUGIN_DIR=$(CURDIR)/$(BUILD)/lib/pantau/plugins node bench/soak.js

# The wall and the console of config/pantau.json in English and Bahasa
# Indonesia, on a server of its own (temporary state, any free port).
screenshots: build
	@PANTAU_BIN=$(CURDIR)/$(BUILD)/core/pantau PANTAU_PLUGIN_DIR=$(CURDIR)/$(BUILD)/lib/pantau/plugins node scripts/screenshots.js

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# CPack's DEB generator (packaging/install.cmake): prefix /usr, /etc/pantau.
deb: build
	@cd $(BUILD) && cpack -G DEB

format:
	@clang-format -i core/include/pantau/*.h core/src/*/*.[ch] plugins/*/*.[ch] tests/unit/*.[ch] tests/unit/*/*.c tests/tools/*/*.c \
		tests/fuzz/*.[ch]

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
