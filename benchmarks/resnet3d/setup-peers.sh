#!/usr/bin/env bash
# Installs the benchmark peers (Keras/TensorFlow and PyTorch, CPU) into the git-ignored
# benchmarks/.venv, from PyPI. Idempotent: does nothing when both already import.
#
#   bash benchmarks/resnet3d/setup-peers.sh
#
# PyPI's Linux torch is the CUDA build; it only imports with its nvidia-* dependencies, so
# they come along (about 4 GB); it runs on the CPU here. TF's venv part is about 2.8 GB.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/benchmarks/.venv"
check='import tensorflow, keras, torch, safetensors, threadpoolctl'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then exit 0; fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q tensorflow-cpu safetensors threadpoolctl
"$venv/bin/pip" install -q torch
"$venv/bin/python" -c "$check"
"$venv/bin/python" -c "import tensorflow as tf, keras, torch; print('peers: tensorflow', tf.__version__, 'keras', keras.__version__, 'torch', torch.__version__)"
