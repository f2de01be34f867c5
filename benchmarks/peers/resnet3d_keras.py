#!/usr/bin/env python3
"""Copied from ../../../shared/peers (project peer baselines); the only changes print PEAK_RSS_MB at the end and
CPU_SECONDS_PER_STEP (process CPU time per timed step, a contention-robust cost) after each timing.

CPU throughput baseline for 3D ResNets in the keras-resnet3d style (Keras 3 / TF).

Architecture follows JihongJu/keras-resnet3d (resnet3d/resnet3d.py), which is the
library the lung-ultrasound paper used:
  * stem: Conv3D 7x7x7 /2 (64, 'same', bias) -> BN -> ReLU -> MaxPool3D 3x3x3 /2 'same'
  * pre-activation residual blocks (BN -> ReLU -> Conv), the very first block of
    stage 1 skips its leading BN-ReLU (the stem already did it)
  * basic block: [3x3x3 conv, 3x3x3 conv]; bottleneck: [1x1x1, 3x3x3, 1x1x1 (4x)]
  * stages 64/128/256/512 filters, first block of stages 2-4 strided by 2 in all
    three dims (the strided conv is the first conv of the block)
  * shortcut: identity, or 1x1x1 conv (stride ceil(in/out), 'valid', bias, no BN)
  * final BN -> ReLU -> AveragePooling3D over whole volume -> Flatten -> Dense(1, sigmoid)
  * he_normal init, L2(1e-4) on every conv / dense kernel
Trained with Adam + binary cross-entropy, batch 32, channels-last (frames, H, W, 3).

Usage:
  python resnet3d_keras.py --depth 18 --frames 60 --size 30 --batch 32 --steps 6 --reps 3
  python resnet3d_keras.py --depth 18 --size 90 --steps 5 --reps 1 --threads 2
  python resnet3d_keras.py --depth 18 --planar --size 64   # keras-resnet's 2D ResNet-18 on 64x64 images

--planar (added for Pleura's 2D ResNet-18, `resnet-18`): the same graph with Conv2D, MaxPooling2D and
AveragePooling2D on (size, size, 3) images, as benchmarks/peers/keras_parity.py builds it.
"""
import argparse
import math
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--depth", type=int, default=18, choices=[18, 34, 50])
    p.add_argument("--frames", type=int, default=60)
    p.add_argument("--size", type=int, default=30)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=6, help="timed steps per repetition")
    p.add_argument("--reps", type=int, default=3, help="repetitions (median quoted)")
    p.add_argument("--threads", type=int, default=0, help="intra/inter op threads (0 = TF default)")
    p.add_argument("--no-train", action="store_true")
    p.add_argument("--no-infer", action="store_true")
    p.add_argument("--jit", action="store_true", help="XLA jit_compile=True")
    p.add_argument("--planar", action="store_true", help="the 2D ResNet on (size, size, 3) images")
    return p.parse_args()


args = parse()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

if args.threads:
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)

import keras  # noqa: E402
from keras import layers, regularizers  # noqa: E402

REG = 1e-4
PLANAR = args.planar
Conv = layers.Conv2D if PLANAR else layers.Conv3D
MaxPooling = layers.MaxPooling2D if PLANAR else layers.MaxPooling3D
AveragePooling = layers.AveragePooling2D if PLANAR else layers.AveragePooling3D
SPATIAL = (1, 2) if PLANAR else (1, 2, 3)


def conv(x, filters, k, strides=1, padding="same"):
    return Conv(filters, k, strides=strides, padding=padding,
                         kernel_initializer="he_normal",
                         kernel_regularizer=regularizers.l2(REG))(x)


def bn_relu(x):
    return layers.ReLU()(layers.BatchNormalization(axis=-1)(x))


def shortcut(inp, res):
    ishape, rshape = inp.shape, res.shape
    st = tuple(int(math.ceil(ishape[i] / rshape[i])) for i in SPATIAL)
    if max(st) > 1 or ishape[-1] != rshape[-1]:
        inp = conv(inp, rshape[-1], 1, strides=st, padding="valid")
    return layers.Add()([inp, res])


def basic_block(x, filters, strides, first_of_first):
    if first_of_first:
        c1 = conv(x, filters, 3, strides)
    else:
        c1 = conv(bn_relu(x), filters, 3, strides)
    r = conv(bn_relu(c1), filters, 3)
    return shortcut(x, r)


def bottleneck(x, filters, strides, first_of_first):
    if first_of_first:
        c1 = conv(x, filters, 1, strides)
    else:
        c1 = conv(bn_relu(x), filters, 1, strides)
    c3 = conv(bn_relu(c1), filters, 3)
    r = conv(bn_relu(c3), filters * 4, 1)
    return shortcut(x, r)


CONFIG = {18: (basic_block, [2, 2, 2, 2]),
          34: (basic_block, [3, 4, 6, 3]),
          50: (bottleneck, [3, 4, 6, 3])}


def build(depth, input_shape):
    block_fn, reps = CONFIG[depth]
    inp = keras.Input(shape=input_shape)
    x = bn_relu(conv(inp, 64, 7, strides=2))
    x = MaxPooling(pool_size=3, strides=2, padding="same")(x)
    filters = 64
    for i, r in enumerate(reps):
        for j in range(r):
            strides = 2 if (j == 0 and i > 0) else 1
            x = block_fn(x, filters, strides, first_of_first=(i == 0 and j == 0))
        filters *= 2
    x = bn_relu(x)
    x = AveragePooling(pool_size=tuple(x.shape[1:1 + len(SPATIAL)]), strides=1)(x)
    x = layers.Flatten()(x)
    out = layers.Dense(1, activation="sigmoid", kernel_initializer="he_normal",
                       kernel_regularizer=regularizers.l2(REG))(x)
    return keras.Model(inp, out, name=f"resnet{'' if PLANAR else '3d'}_{depth}")


def forward_flops(model):
    """2*MACs of Conv3D + Dense layers (BN/ReLU/pool/add ignored, they are <1%)."""
    total = 0
    for l in model.layers:
        if isinstance(l, (layers.Conv2D, layers.Conv3D)):
            k = l.kernel.shape  # (kd,) kh, kw, cin, cout
            o = l.output.shape  # N, (D,) H, W, C
            total += 2 * int(np.prod(k)) * int(np.prod(o[1:-1]))
        elif isinstance(l, layers.Dense):
            total += 2 * int(np.prod(l.kernel.shape))
    return total


def time_steps(fn, warmup, steps, reps):
    for _ in range(warmup):
        fn()
    import resource
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.perf_counter()
    per_rep = []
    for _ in range(reps):
        ts = []
        for _ in range(steps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        per_rep.append(statistics.median(ts))
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    print(f"CPU_SECONDS_PER_STEP {cpu / (steps * reps):.3f} (wall {(time.perf_counter() - w0) / (steps * reps):.3f})", flush=True)
    return per_rep


def main():
    shape = (args.size, args.size, 3) if PLANAR else (args.frames, args.size, args.size, 3)
    model = build(args.depth, shape)
    fl = forward_flops(model)
    print(f"tf {tf.__version__} keras {keras.__version__} numpy {np.__version__}")
    print(f"threads intra={tf.config.threading.get_intra_op_parallelism_threads()} "
          f"inter={tf.config.threading.get_inter_op_parallelism_threads()} "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', '(default)')}")
    print(f"model {model.name} input {shape} params {model.count_params():,} "
          f"(trainable {sum(int(np.prod(w.shape)) for w in model.trainable_weights):,})")
    print(f"forward GFLOP/clip {fl / 1e9:.3f}  (train ~3x = {3 * fl / 1e9:.3f})")
    print(f"output shape before pool: {[l.output.shape for l in model.layers if isinstance(l, AveragePooling)]}")
    sys.stdout.flush()

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch,) + shape, dtype=np.float32)
    y = rng.integers(0, 2, size=(args.batch, 1)).astype(np.float32)
    xt, yt = tf.constant(x), tf.constant(y)

    if not args.no_train:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                      jit_compile=args.jit)
        t0 = time.perf_counter()
        model.train_on_batch(xt, yt)
        print(f"first train step (trace+run) {time.perf_counter() - t0:.2f}s")
        reps = time_steps(lambda: model.train_on_batch(xt, yt), args.warmup, args.steps, args.reps)
        med = statistics.median(reps)
        print(f"TRAIN step medians per rep (s): {[round(r, 3) for r in reps]}")
        print(f"TRAIN batch {args.batch}: median {med:.3f} s/step = {args.batch / med:.2f} clips/s "
              f"= {3 * fl * args.batch / med / 1e9:.1f} GFLOP/s effective")
        sys.stdout.flush()

    if not args.no_infer:
        infer = tf.function(lambda v: model(v, training=False), jit_compile=args.jit)
        t0 = time.perf_counter()
        infer(xt).numpy()
        print(f"first infer call (trace+run) {time.perf_counter() - t0:.2f}s")
        reps = time_steps(lambda: infer(xt).numpy(), args.warmup, args.steps, args.reps)
        med = statistics.median(reps)
        print(f"INFER step medians per rep (s): {[round(r, 3) for r in reps]}")
        print(f"INFER batch {args.batch}: median {med:.3f} s/batch = {args.batch / med:.2f} clips/s "
              f"= {fl * args.batch / med / 1e9:.1f} GFLOP/s effective")


if __name__ == "__main__":
    main()
    import resource
    # Peak RSS of the whole run (training and inference), for comparison with pleura's VmHWM.
    print(f"PEAK_RSS_MB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", flush=True)
