#!/usr/bin/env bash
# Build the optional native shims; a missing toolchain gives a note, never a failure:
# - liblt_shim.so (float64 kernels of the trajectory loss; needs g++). Without it Lt runs its
#   pure-JS kernels (same results, slower).
# - libflow_shim.so (DIS optical flow; needs Debian OpenCV). Without it the pipeline uses the
#   portable OpenCV.js Farneback estimator and says so.
here="$(cd "$(dirname "$0")" && pwd)"
fresh() { [ -f "$here/build/$1" ] && [ "$here/build/$1" -nt "$here/$2" ] && [ "$here/build/$1" -nt "$here/$3" ]; }
if ! fresh liblt_shim.so lt_shim.cpp build_lt.sh; then
  if ! bash "$here/build_lt.sh" >/tmp/lrtl-native-lt-build.log 2>&1; then
    echo "note: native Lt kernels not built (needs: apt-get install -y g++); using the pure-JS kernels. Log: /tmp/lrtl-native-lt-build.log" >&2
  fi
fi
if ! fresh libflow_shim.so flow_shim.cpp build.sh; then
  if ! bash "$here/build.sh" >/tmp/lrtl-native-build.log 2>&1; then
    echo "note: native DIS flow not built (needs: apt-get install -y libopencv-video-dev libopencv-contrib-dev); using the portable Farneback estimator. Log: /tmp/lrtl-native-build.log" >&2
  fi
fi
exit 0
