#!/usr/bin/env bash
# Side-by-side ResNet3D throughput: pleura vs Keras/TensorFlow and PyTorch (CPU), same
# topology, batch 32, random data, same machine, training and inference, medians.
#
#   bash benchmarks/resnet3d/run.sh                 # R18/34/50 at 60x30x30, 3 repetitions each
#   CASES="18:30:3 50:30:1" bash benchmarks/resnet3d/run.sh   # depth:size[:repetitions[:2d]]
#   CASES="18:64:3:2d" bash benchmarks/resnet3d/run.sh          # the 2D ResNet-18 on 64x64 (M-mode) images
#   STEPS=3 WARMUP=1 bash benchmarks/resnet3d/run.sh          # fewer timed steps per run
#
# OPENBLAS_CORETYPE in the environment chooses OpenBLAS's kernels (this machine's sessions set
# it to Haswell, AVX2, although OpenBLAS 0.3.21 picks its AVX-512 Cooperlake kernels on this CPU);
# env.log records it. DEFAULT_KERNELS=1 also runs pleura with the variable unset after each
# pleura run, with OPENBLAS_L2_SIZE unset too (logs pleuradefault_*), so both kernel choices meet the same load.
# Pleura's untransposed GEMMs run on its own AVX-512 kernel where the CPU has it (Sources/CGemm);
# OPENBLAS_GEMM=1 also runs pleura with PLEURA_GEMM=openblas (logs pleuraopenblas_*), every GEMM on
# OpenBLAS as before that kernel.
#
# Repetitions are interleaved (pleura, TF, torch, pleura, TF, torch, ...) so that all three meet
# the same load on a shared machine. The peers live in the git-ignored benchmarks/.venv,
# installed from PyPI by benchmarks/resnet3d/setup-peers.sh (run here when missing).
# Logs go to benchmarks/resnet3d/logs/; the summary table is printed and written to
# benchmarks/resnet3d/logs/summary.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-benchmarks/.venv/bin/python}
[ "$PY" = benchmarks/.venv/bin/python ] && bash benchmarks/resnet3d/setup-peers.sh
REPS=${REPS:-3}
CASES=${CASES:-"18:30:3 34:30:3 50:30:3"}
LOGS=${LOGS:-benchmarks/resnet3d/logs}
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log

# BIN: an already built release binary (e.g. from --scratch-path .build-release); else built here.
if [ -z "${BIN:-}" ]; then
  swift build -c release --product pleura >/dev/null
  BIN="$(swift build -c release --show-bin-path)/pleura"
fi
HAVE_TORCH=0
"$PY" -c "import torch" 2>/dev/null && HAVE_TORCH=1

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-(unset)}"
  "$PY" -c "import tensorflow as tf, keras; print('tensorflow', tf.__version__, 'keras', keras.__version__)" 2>/dev/null
  [ $HAVE_TORCH = 1 ] && "$PY" -c "import torch; print('torch', torch.__version__)"
} > "$LOGS/env.log"

# One pleura run into LOGS/NAME_TAG.log: `pleura NAME TAG [COMMAND PREFIX...]` (e.g. env -u ...).
pleura() {
  local name=$1 tag=$2
  shift 2
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > "$LOGS/${name}_$tag.log"
  "$@" "$BIN" bench train --arch "$arch" --input "$input" --batch 32 \
    --steps "$steps" --warmup "$warmup" --threads 2 --json >> "$LOGS/${name}_$tag.log"
}

for c in $CASES; do
  IFS=: read -r depth size reps planar <<< "$c"; reps=${reps:-$REPS}
  # 2D cases: pleura's resnet-18 on 1 x size x size, the peers' --planar networks on size x size.
  if [ "${planar:-}" = 2d ]; then
    arch="resnet-$depth"; input="1x${size}x${size}"; peer=(--planar); suffix=_2d
  else
    arch="resnet3d-$depth"; input="60x${size}x${size}"; peer=(); suffix=
  fi
  if [ "$size" -ge 90 ]; then steps=3; warmup=1; else steps=6; warmup=2; fi
  steps=${STEPS:-$steps}; warmup=${WARMUP:-$warmup}
  for rep in $(seq 1 "$reps"); do
    tag="r${depth}_${size}${suffix}_rep${rep}"
    echo "== $tag load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    pleura pleura "$tag"
    if [ "${DEFAULT_KERNELS:-0}" = 1 ]; then
      pleura pleuradefault "$tag" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
    fi
    if [ "${OPENBLAS_GEMM:-0}" = 1 ]; then pleura pleuraopenblas "$tag" env PLEURA_GEMM=openblas; fi
    echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > "$LOGS/keras_$tag.log"
    "$PY" benchmarks/peers/resnet3d_keras.py --depth "$depth" --size "$size" ${peer[@]+"${peer[@]}"} \
      --batch 32 --steps $steps --warmup $warmup --reps 1 >> "$LOGS/keras_$tag.log" 2>&1
    if [ $HAVE_TORCH = 1 ]; then
      echo "load $(cut -d' ' -f1-3 /proc/loadavg)" > "$LOGS/torch_$tag.log"
      "$PY" benchmarks/peers/resnet3d_torch.py --depth "$depth" --size "$size" ${peer[@]+"${peer[@]}"} \
        --batch 32 --threads 2 --channels-last --steps $steps --warmup $warmup --reps 1 >> "$LOGS/torch_$tag.log" 2>&1
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$LOGS/env.log"
python3 benchmarks/resnet3d/summarize.py "$LOGS" | tee "$LOGS/summary.md"
