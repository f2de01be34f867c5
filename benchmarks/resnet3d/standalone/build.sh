#!/usr/bin/env bash
# Builds the ResNet engine alone (Primitives, COpenBLAS, Resnet3D; swiftc -O -wmo, as a release
# build compiles them) behind a stand-in for `pleura bench train ... --json`, for benchmarking
# when a release build of the whole `pleura` (NIO, Hummingbird, GRDB, ...) takes too long on a
# loaded machine. Same sources and the same Resnet3DBenchmark.run(); the logs are the same JSON.
#
#   bash benchmarks/resnet3d/standalone/build.sh /tmp/engine   # writes /tmp/engine/pleura-engine
#   BIN=/tmp/engine/pleura-engine bash benchmarks/resnet3d/run.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
out="${1:?usage: build.sh OUTPUT_FOLDER}"
mkdir -p "$out"
cd "$out"
S="$root/Sources"
clang -O2 -c "$S/CLazyLibrary/lazy_library.c" -I"$S/CLazyLibrary/include" -o lazy_library.o
clang -O2 -c "$S/COpenBLAS/lazy.c" -I"$S/CLazyLibrary/include" -I"$S/COpenBLAS/include" -o lazy.o
swiftc -O -wmo -parse-as-library -module-name Primitives -emit-module -emit-module-path Primitives.swiftmodule \
  -emit-object -o Primitives.o "$S"/Primitives/*.swift
swiftc -O -wmo -parse-as-library -module-name Resnet3D -I . -Xcc -fmodule-map-file="$S/COpenBLAS/include/module.modulemap" \
  -emit-module -emit-module-path Resnet3D.swiftmodule -emit-object -o Resnet3D.o "$S"/Engines/Resnet3D/*.swift
swiftc -O -I . -Xcc -fmodule-map-file="$S/COpenBLAS/include/module.modulemap" \
  "$root/benchmarks/resnet3d/standalone/main.swift" Resnet3D.o Primitives.o lazy.o lazy_library.o -ldl -o pleura-engine
echo "$out/pleura-engine"
