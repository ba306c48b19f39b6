#!/usr/bin/env bash
# Build native/build/libflow_shim.so: a tiny C ABI over Debian's OpenCV for Deno.dlopen.
# Needs g++ and Debian OpenCV 4 headers and libraries:
#   apt-get install -y --no-install-recommends g++ libopencv-video-dev
#   (optional, adds TV-L1) apt-get install -y --no-install-recommends libopencv-contrib-dev
# (libopencv-dev pulls in both.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
if pkg-config --exists opencv4 2>/dev/null; then
  inc="$(pkg-config --variable=includedir opencv4)/opencv4"
  [ -d "$inc" ] || inc="$(pkg-config --variable=includedir opencv4)"
else
  inc=/usr/include/opencv4
fi
if [ ! -f "$inc/opencv2/video/tracking.hpp" ]; then
  echo "native/build.sh: OpenCV 4 video headers not found under $inc;" \
    "run: apt-get install -y --no-install-recommends libopencv-video-dev" >&2
  exit 1
fi
libs=(-lopencv_core -lopencv_imgproc -lopencv_video)
defs=()
if [ -f "$inc/opencv2/optflow.hpp" ]; then
  defs+=(-DFLOW_SHIM_TVL1)
  libs+=(-lopencv_optflow)
fi
g++ -O2 -std=c++17 -shared -fPIC -Wall -Wextra ${defs[@]+"${defs[@]}"} -I"$inc" \
  "$here/flow_shim.cpp" -o "$here/build/libflow_shim.so.tmp" "${libs[@]}"
mv "$here/build/libflow_shim.so.tmp" "$here/build/libflow_shim.so"
echo "built $here/build/libflow_shim.so (${defs[*]:-without TV-L1})"
