#!/usr/bin/env bash
# Makes this plugin's own virtual environment from PyPI: torch, numpy and safetensors. It lives
# outside the plugin's folder (`pleura plugins add` copies that folder's regular files, and a venv
# holds links), where `run` looks for it: $PLEURA_TORCH_VENV, else
# ${XDG_DATA_HOME:-~/.local/share}/pleura/torch-resnet3d-venv. Idempotent: an existing venv that
# imports all three is left alone.
# PyPI's Linux torch wheel is the CUDA build (about 4 GB with its nvidia-* dependencies); it runs
# on the CPU when no GPU is present. Not part of `make test`'s set-up because of that size; the
# plugin's tests skip (and say so) until this has run.
set -eu
venv="${PLEURA_TORCH_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/pleura/torch-resnet3d-venv}"
mkdir -p "$(dirname "$venv")"
check='import torch, numpy, safetensors'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
  echo "torch-resnet3d: venv ready at $venv" >&2
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet torch numpy safetensors
"$venv/bin/python" -c "$check"
echo "torch-resnet3d: venv made at $venv ($("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)'))" >&2
