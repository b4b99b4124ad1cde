#!/bin/sh
# make_clips.sh OUTDIR - encodes the test clips once (skips those present):
#   clip720.mp4  1280x720 25 fps, 2 Mbit/s, H.264 constrained baseline, 10 s,
#                keyframe every 2 s (benchmarks, file cameras)
#   clip360.mp4  640x360 15 fps, 500 kbit/s, same profile, 10 s (quick tests)
#   loop3s.mp4   320x180 15 fps, 300 kbit/s, same profile, 3 s (loop tests)
set -eu
out=${1:?usage: make_clips.sh OUTDIR}
mkdir -p "$out"

# clip NAME WIDTH HEIGHT FPS KBPS SOURCE_PROPERTIES [SECONDS]
clip() {
    name=$1 w=$2 h=$3 fps=$4 kbps=$5 props=$6 secs=${7:-10}
    [ -s "$out/$name" ] && return 0
    frames=$((fps * secs))
    gst-launch-1.0 -q videotestsrc num-buffers=$frames $props \
        ! "video/x-raw,width=$w,height=$h,framerate=$fps/1" \
        ! timeoverlay font-desc="Sans 24" ! videoconvert ! video/x-raw,format=I420 \
        ! x264enc speed-preset=veryfast bitrate="$kbps" key-int-max=$((fps * 2)) \
        ! video/x-h264,profile=constrained-baseline ! h264parse \
        ! mp4mux ! filesink location="$out/$name.tmp"
    mv "$out/$name.tmp" "$out/$name"
    echo "made $out/$name"
}

# Moving bars: hard enough to compress that x264 really spends 2 Mbit/s.
clip clip720.mp4 1280 720 25 2000 "pattern=smpte horizontal-speed=8"
clip clip360.mp4 640 360 15 500 "pattern=ball"
clip loop3s.mp4 320 180 15 300 "pattern=ball" 3
