#!/usr/bin/env python3
"""Keras parity for Pleura's ResNet3D engine (and its 2D ResNet-18).

Builds the keras-resnet3d topology in Keras 3 / TensorFlow (as ../../../shared/peers/resnet3d_keras.py
does, with one Keras layer per Pleura layer, named like Pleura's tensors: `stem.conv`,
`stage2.block1.bn1`, `stage2.block1.shortcut`, `head.dense`, ...), loads the weights Pleura saved
(safetensors, read with safetensors.numpy.load_file), and computes on Pleura's inputs:
  * logits with BN in inference mode            -> expected["logits_inference"]
  * logits with BN in training mode             -> expected["logits_training"]
  * loss = mean sigmoid BCE from logits + L2    -> expected["loss"]
  * its gradient for every trainable weight     -> expected["grad/<tensor name>"]
and writes them to expected.safetensors next to the weights. With --check it instead compares
against an existing expected.safetensors produced by Pleura (not needed for the Swift test).

Usage (from the worktree root, in the git-ignored venv):
  benchmarks/venv/bin/python benchmarks/peers/keras_parity.py Tests/Resnet3DTests/Fixtures/parity-r18
The fixture folder holds weights.safetensors and inputs.safetensors (written by the Swift test
`exportParityInputs` when PLEURA_PARITY_EXPORT is set) and a config.json.

When config.json has "twoDimensional": true the model is keras-resnet's 2D ResNet (the library
keras-resnet3d was made from): Conv2D, MaxPooling2D and AveragePooling2D in place of the 3D
layers. Pleura stores those kernels as (1, k, k, Ci, Co) and its inputs as (N, 1, H, W, C); both
lose their unit depth on the way in.
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402
from safetensors.numpy import load_file, save_file  # noqa: E402

REG = 1e-4


def build(cfg):
    """keras-resnet3d with explicit layer names. Dense(1) gives logits (sigmoid is in the loss)."""
    w = cfg["widthMultiplier"]
    scaled = lambda f: max(1, int(round(f * w)))  # noqa: E731
    block = cfg["block"]
    reps = cfg["repetitions"]
    planar = cfg.get("twoDimensional", False)
    spatial = (1, 2) if planar else (1, 2, 3)
    Conv = layers.Conv2D if planar else layers.Conv3D
    MaxPooling = layers.MaxPooling2D if planar else layers.MaxPooling3D
    AveragePooling = layers.AveragePooling2D if planar else layers.AveragePooling3D
    shape = (cfg["height"], cfg["width"]) if planar else (cfg["frames"], cfg["height"], cfg["width"])
    inp = keras.Input(shape=shape + (cfg["channels"],))

    def conv(x, name, filters, k, strides=1, padding="same"):
        return Conv(filters, k, strides=strides, padding=padding, kernel_initializer="he_normal",
                    kernel_regularizer=regularizers.l2(REG), name=name)(x)

    def bn_relu(x, name):
        return layers.ReLU()(layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, name=name)(x))

    def shortcut(inp, res, name):
        ishape, rshape = inp.shape, res.shape
        st = tuple(int(math.ceil(ishape[i] / rshape[i])) for i in spatial)
        if max(st) > 1 or ishape[-1] != rshape[-1]:
            inp = conv(inp, name + ".shortcut", rshape[-1], 1, strides=st, padding="valid")
        return layers.Add()([inp, res])

    x = bn_relu(conv(inp, "stem.conv", scaled(64), 7, strides=2), "stem.bn")
    x = MaxPooling(pool_size=3, strides=2, padding="same")(x)
    for s, r in enumerate(reps):
        f = scaled(64 << s)
        for b in range(r):
            name = f"stage{s + 1}.block{b + 1}"
            strides = 2 if (b == 0 and s > 0) else 1
            first = s == 0 and b == 0
            specs = [(3, f, strides), (3, f, 1)] if block == "basic" else [(1, f, strides), (3, f, 1), (1, 4 * f, 1)]
            h = x
            for i, (k, filters, st) in enumerate(specs):
                if not (i == 0 and first):
                    h = bn_relu(h, f"{name}.bn{i + 1}")
                h = conv(h, f"{name}.conv{i + 1}", filters, k, strides=st)
            x = shortcut(x, h, name)
    x = bn_relu(x, "head.bn")
    x = AveragePooling(pool_size=tuple(x.shape[s] for s in spatial), strides=1)(x)
    x = layers.Flatten()(x)
    out = layers.Dense(1, kernel_initializer="he_normal", kernel_regularizer=regularizers.l2(REG),
                       name="head.dense")(x)
    return keras.Model(inp, out)


VARS = {"Conv3D": ["kernel", "bias"], "Conv2D": ["kernel", "bias"], "Dense": ["kernel", "bias"],
        "BatchNormalization": ["gamma", "beta", "moving_mean", "moving_variance"]}


def load_weights(model, weights):
    used = set()
    for layer in model.layers:
        kind = type(layer).__name__
        if kind not in VARS:
            continue
        values = []
        for v in VARS[kind]:
            key = f"{layer.name}.{v}"
            if key not in weights:
                raise SystemExit(f"weights lack {key}")
            value = weights[key]
            if kind == "Conv2D" and v == "kernel":
                value = value.reshape(value.shape[1:])  # (1, k, k, Ci, Co) -> (k, k, Ci, Co)
            values.append(value)
            used.add(key)
        layer.set_weights(values)
    extra = set(weights) - used
    if extra:
        raise SystemExit(f"weights have tensors the Keras model lacks: {sorted(extra)[:5]}")


def main():
    folder = sys.argv[1]
    cfg = json.load(open(os.path.join(folder, "config.json")))
    weights = load_file(os.path.join(folder, "weights.safetensors"))
    data = load_file(os.path.join(folder, "inputs.safetensors"))
    x = data["inputs"]
    y = data["labels"]
    if cfg.get("twoDimensional", False):
        x = x.reshape((x.shape[0],) + x.shape[2:])  # (N, 1, H, W, C) -> (N, H, W, C)
    model = build(cfg)
    keras_params = model.count_params()
    load_weights(model, weights)
    print(f"tf {tf.__version__} keras {keras.__version__}; model params {keras_params:,}; inputs {x.shape}")

    logits_inf = model(x, training=False).numpy()[:, 0]
    with tf.GradientTape() as tape:
        z = model(x, training=True)[:, 0]
        bce = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(y), logits=z))
        reg = tf.add_n(model.losses)
        loss = bce + reg
    trainable = model.trainable_weights
    grads = tape.gradient(loss, trainable)
    out = {"logits_inference": logits_inf.astype(np.float32),
           "logits_training": z.numpy().astype(np.float32),
           "loss": np.array([loss.numpy()], dtype=np.float32)}
    for var, g in zip(trainable, grads):
        # Keras 3 variable path: "<layer name>/<variable name>"
        layer_name, var_name = var.path.rsplit("/", 1)
        out[f"grad/{layer_name}.{var_name}"] = g.numpy().astype(np.float32)
    save_file(out, os.path.join(folder, "expected.safetensors"),
              metadata={"tensorflow": tf.__version__, "keras": keras.__version__})
    print(f"logits (inference) {logits_inf}")
    print(f"loss {float(loss):.6f}; wrote {len(out)} tensors to {folder}/expected.safetensors")


if __name__ == "__main__":
    main()
