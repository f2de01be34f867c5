#!/usr/bin/env bash
# GEMM rates on the engine's shapes: OpenBLAS (as OPENBLAS_CORETYPE is set, then with it unset)
# against Pleura's AVX-512 kernel. Needs clang and libopenblas-dev (make setup installs them).
#   bash benchmarks/gemm/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -O2 -ISources/CGemm/include -o "$out/shapes" benchmarks/gemm/shapes.c Sources/CGemm/gemm.c -lopenblas -lm
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
"$out/shapes"
echo "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (OpenBLAS's own kernel choice)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$out/shapes"
