#!/usr/bin/env bash
# Build the optional native flow shim when OpenCV is installed; otherwise say how, and go on
# (the pipeline then uses the portable OpenCV.js Farneback estimator and says so).
here="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$here/build/libflow_shim.so" ] && [ "$here/build/libflow_shim.so" -nt "$here/flow_shim.cpp" ]; then
  exit 0
fi
if ! bash "$here/build.sh" >/tmp/lrtl-native-build.log 2>&1; then
  echo "note: native DIS flow not built (needs: apt-get install -y libopencv-video-dev libopencv-contrib-dev); using the portable Farneback estimator. Log: /tmp/lrtl-native-build.log" >&2
fi
exit 0
