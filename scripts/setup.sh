#!/bin/sh
# Installs what pantau needs to build, run and test on Debian 12, only what is missing.
# clang, llvm (llvm-symbolizer) and libclang-rt-dev (libFuzzer, sanitizers)
# build and run the fuzz harnesses of tests/fuzz.
# Without root it prints the exact install line and exits 1.
set -eu
cd "$(dirname "$0")/.."

DEBS="build-essential cmake pkg-config libglib2.0-dev libjansson-dev \
libwebsockets-dev libwebsockets-evlib-uv libuv1-dev libsodium-dev check libsubunit-dev chromium \
libsoup-3.0-dev libxml2-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev \
gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-base-apps gstreamer1.0-plugins-good gstreamer1.0-plugins-bad \
gstreamer1.0-plugins-ugly gstreamer1.0-libav \
prometheus-node-exporter nut-server nut-client \
clang llvm libclang-rt-dev"
# Node.js may come from elsewhere (this machine image has Node 20 with npm):
# take Debian's only when there is none.
command -v node >/dev/null 2>&1 || DEBS="$DEBS nodejs"
command -v npm >/dev/null 2>&1 || DEBS="$DEBS npm"

missing=""
for p in $DEBS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "pantau: missing Debian packages. Run as root:" >&2
        echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
        exit 1
    fi
    echo "pantau: installing$missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

# npm packages from the committed lockfile, only when the lockfile changed.
stamp=node_modules/.pantau-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund
    cp package-lock.json "$stamp"
fi
