#!/usr/bin/env bash
# Build native/build/liblt_shim.so: the float64 CPU kernels of the trajectory loss (Gram
# matrices, eigendecompositions, gradients) for Deno.dlopen. Needs only g++ (C++17):
#   apt-get install -y --no-install-recommends g++
# Without it, learn/losses uses the pure-JS kernels (same algorithms, slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/build"
g++ -O3 -std=c++17 -shared -fPIC -pthread -Wall -Wextra -Wno-psabi \
  "$here/lt_shim.cpp" -o "$here/build/liblt_shim.so.tmp"
mv "$here/build/liblt_shim.so.tmp" "$here/build/liblt_shim.so"
echo "built $here/build/liblt_shim.so"
