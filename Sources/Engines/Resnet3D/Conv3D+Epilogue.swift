// What a convolution's output pass may do besides writing conv + bias, for the inference network
// (Inference.swift): the row it has just written is still in cache, so the residual add, the
// ReLU of a folded batch norm and the next batch norm + ReLU cost no extra pass over memory.

/// A convolution's kernel and bias in the stored layouts, taken from somewhere other than its
/// parameters (the batch-norm-folded copies of BatchNormFolding.swift).
struct ConvWeights {
  let kernel: UnsafePointer<Float>
  let bias: UnsafePointer<Float>
}

/// Work done on each output row right after it is written, in this order: add the residual,
/// apply the ReLU, write the next batch norm + ReLU of the row to a second tensor.
struct ConvEpilogue: @unchecked Sendable {
  /// Added to the output (same layout): the input of an identity shortcut.
  var residual: SharedPointer<Float>?
  /// The output becomes max(y, 0): the ReLU after a batch norm folded into the convolution.
  var relu = false
  /// Also writes max(y * scale + shift, 0) at the same offset of `out`: the batch norm + ReLU
  /// that reads this output (the next block's first one, or the head's), as an affine map.
  var next: (scale: SharedPointer<Float>, shift: SharedPointer<Float>, out: SharedPointer<Float>)?

  static let none = ConvEpilogue()

  var isActive: Bool { residual != nil || relu || next != nil }

  /// Finishes the output row `y`, which sits `offset` floats into the output, on `channels`.
  @inline(__always)
  func finish(_ y: UnsafeMutablePointer<Float>, offset: Int, channels: Range<Int>) {
    if let residual {
      let r = residual.base + offset
      for o in channels { y[o] += r[o] }
    }
    if relu {
      for o in channels { y[o] = max(y[o], 0) }
    }
    if let next {
      let (a, s, t) = (next.out.base + offset, next.scale.base, next.shift.base)
      for o in channels { a[o] = max(y[o] * s[o] + t[o], 0) }
    }
  }
}

extension Conv3D {
  /// Lands one output row computed apart (a GEMM's temporary row `t`): y = t + bias, or
  /// y += t + bias with `accumulate` (the residual add of a shortcut), over `channels`.
  @inline(__always)
  static func land(
    _ t: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
    accumulate: Bool, channels: Range<Int>
  ) {
    switch (accumulate, bias) {
    case (false, let b?): for o in channels { y[o] = t[o] + b[o] }
    case (true, let b?): for o in channels { y[o] += t[o] + b[o] }
    case (false, nil): for o in channels { y[o] = t[o] }
    case (true, nil): for o in channels { y[o] += t[o] }
    }
  }
}
