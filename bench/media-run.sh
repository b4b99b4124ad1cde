#!/bin/sh
# make bench-media: 16 cameras (720p H.264, about 2 Mbit/s each) fanned out to
# 8 WebSocket clients: pantau (RTSP in through the cctv plugin) vs a plain
# Node.js `ws` relay vs the floor (a minimal C sender), in one run.
#   sh bench/media-run.sh BUILD_DIR
# Encodes the test clips once (cached in BUILD_DIR/bench/clips/), builds the C
# helpers into BUILD_DIR/bench/, then runs bench/media-bench.js (bounded at
# 300 s). Loopback only. See bench/README.md.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
OUT=$BUILD_DIR/bench
CLIPS=$OUT/clips

for tool in gst-launch-1.0 node "${CC:-cc}"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench-media: $tool is missing" >&2
        exit 1
    fi
done
for f in "$BUILD_DIR/core/pantau" "$BUILD_DIR/lib/pantau/plugins/cctv.so" "$BUILD_DIR/tests/tools/pantau-test-rtsp"; do
    if [ ! -e "$f" ]; then
        echo "bench-media: no $f; build first (make build)" >&2
        exit 1
    fi
done
mkdir -p "$CLIPS"

# The clips, encoded once: 1280x720, 25 fps, 2 Mbit/s, H.264 constrained
# baseline, a keyframe every 2 s exactly (no scene-cut keyframes), 20 s. Moving patterns that are hard enough to
# compress that x264 really spends the 2 Mbit/s. Then each demuxed once into
# an Annex B byte stream (.h264, one access unit per buffer, SPS/PPS before
# every IDR: what pantau's RTSP pipeline hands on) for the relay's feeder and
# the floor; bench/media-bench.js splits those into access units.
# clip NAME VIDEOTESTSRC_PROPERTIES
clip() {
    name=$1 props=$2
    if [ ! -s "$CLIPS/$name.mp4" ]; then
        # shellcheck disable=SC2086
        gst-launch-1.0 -q videotestsrc num-buffers=500 $props \
            ! video/x-raw,width=1280,height=720,framerate=25/1 \
            ! timeoverlay font-desc="Sans 24" ! videoconvert ! video/x-raw,format=I420 \
            ! x264enc speed-preset=veryfast bitrate=2000 key-int-max=50 option-string=scenecut=0 \
            ! video/x-h264,profile=constrained-baseline ! h264parse \
            ! mp4mux ! filesink location="$CLIPS/$name.mp4.tmp"
        mv "$CLIPS/$name.mp4.tmp" "$CLIPS/$name.mp4"
        echo "bench-media: encoded $CLIPS/$name.mp4"
    fi
    if [ ! -s "$CLIPS/$name.h264" ]; then
        gst-launch-1.0 -q filesrc location="$CLIPS/$name.mp4" ! qtdemux ! h264parse config-interval=-1 \
            ! video/x-h264,stream-format=byte-stream,alignment=au \
            ! filesink location="$CLIPS/$name.h264.tmp"
        mv "$CLIPS/$name.h264.tmp" "$CLIPS/$name.h264"
    fi
}
clip clip1 "pattern=smpte horizontal-speed=8"
clip clip2 "pattern=zone-plate kx2=20 ky2=20 kt=1"
clip clip3 "pattern=colors horizontal-speed=3"
clip clip4 "pattern=smpte horizontal-speed=-13"

# The C helpers, rebuilt when their source (or the shared header) is newer.
for prog in media-loadgen media-floor; do
    if [ ! -x "$OUT/$prog" ] || [ "bench/$prog.c" -nt "$OUT/$prog" ] || [ bench/ws_client.h -nt "$OUT/$prog" ]; then
        "${CC:-cc}" -O2 -Wall -o "$OUT/$prog" "bench/$prog.c"
    fi
done

exec node bench/media-bench.js "$BUILD_DIR"
