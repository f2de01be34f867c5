// Batch normalization in inference mode is an affine map per channel, y = x * scale + shift with
// scale = gamma / sqrt(moving_variance + eps) and shift = beta - moving_mean * scale. A
// convolution whose only reader is such a batch norm can carry it: kernel * scale per output
// channel, bias * scale + shift. The network is pre-activation (BN-ReLU before each convolution),
// so what folds is the batch norm that FOLLOWS a convolution: the stem's, and inside a block each
// unit's into the previous unit's convolution. The batch norm after a residual sum cannot fold
// (the sum also feeds the next shortcut unnormalized); it runs in the output pass instead.

/// A batch norm's inference-mode affine map, per channel.
final class BatchNormAffine {
  let scale: FloatBuffer
  let shift: FloatBuffer

  init(_ bn: BatchNormReLU) {
    let c = bn.channels
    scale = FloatBuffer(count: c)
    shift = FloatBuffer(count: c)
    let (gamma, beta) = (bn.gamma.value.pointer, bn.beta.value.pointer)
    let (mean, variance) = (bn.movingMean.value.pointer, bn.movingVariance.value.pointer)
    for j in 0..<c {
      // The same float operations as BatchNormReLU.forward in inference mode.
      let invStd = 1 / (variance[j] + BatchNormReLU.epsilon).squareRoot()
      let s = gamma[j] * invStd
      scale.pointer[j] = s
      shift.pointer[j] = beta[j] - mean[j] * s
    }
  }

  /// The map as the `next` part of a convolution's output pass writing to `out`.
  func epilogue(writingTo out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil)
    -> ConvEpilogue
  {
    ConvEpilogue(
      residual: residual.map { SharedPointer($0) }, relu: false,
      next: (SharedPointer(scale.pointer), SharedPointer(shift.pointer), SharedPointer(out)))
  }
}

/// A convolution with the batch norm that follows it folded in (its ReLU is left to the
/// convolution's output pass): a copy of the kernel and bias in the stored layouts.
final class FoldedConv {
  let kernel: FloatBuffer
  let bias: FloatBuffer

  init(_ conv: Conv3D, _ bn: BatchNormReLU) {
    precondition(bn.channels == conv.output.channels, "\(bn.name) does not follow \(conv.name)")
    let affine = BatchNormAffine(bn)
    let co = conv.output.channels
    let (s, t) = (affine.scale.pointer, affine.shift.pointer)
    kernel = FloatBuffer(count: conv.kernel.count)
    bias = FloatBuffer(count: co)
    // Kernels are (kd, kh, kw, Ci, Co): the output channel is the fastest axis.
    let (src, dst) = (conv.kernel.value.pointer, kernel.pointer)
    for row in 0..<(conv.kernel.count / co) {
      let (from, to) = (src + row * co, dst + row * co)
      for o in 0..<co { to[o] = from[o] * s[o] }
    }
    for o in 0..<co { bias.pointer[o] = conv.bias.value.pointer[o] * s[o] + t[o] }
  }

  var weights: ConvWeights { ConvWeights(kernel: kernel.pointer, bias: bias.pointer) }
}
