// Named parameters (Keras variable names) with their gradient and Adam moments.
import Primitives

/// One named tensor of the model. Names follow `<layer>.<keras variable>`, e.g.
/// `stage2.block1.conv1.kernel`; see `ResNet3D` for the full list.
public final class Parameter: @unchecked Sendable {
  /// Keras-compatible name, e.g. `stem.conv.kernel` or `head.bn.moving_variance`.
  public let name: String
  /// Shape in Keras layout: conv kernels (kd, kh, kw, Ci, Co), dense kernels (Ci, Co), vectors (C).
  public let shape: [Int]
  /// Trained by Adam (false for BN moving statistics).
  public let trainable: Bool
  /// Carries L2 kernel regularisation (conv and dense kernels only).
  public let regularized: Bool
  /// Trainable but held at its value: Adam leaves it (and its moments) alone. Fine-tuning sets
  /// it on the first stages (`ResNet3D.freeze(stages:)`); its L2 term still counts in the loss.
  public internal(set) var frozen = false
  let value: FloatBuffer
  /// Gradient and Adam moments, allocated on first use so that inference-only models stay small.
  lazy var grad = FloatBuffer(count: trainable ? count : 0)
  lazy var m = FloatBuffer(count: trainable ? count : 0)
  lazy var v = FloatBuffer(count: trainable ? count : 0)
  /// Bumped by every write to the values, so that derived copies (the inference network's
  /// batch-norm-folded kernels) know when they are stale.
  private(set) var version = 0

  init(name: String, shape: [Int], trainable: Bool = true, regularized: Bool = false, fill: Float = 0) {
    self.name = name
    self.shape = shape
    self.trainable = trainable
    self.regularized = regularized
    let count = shape.reduce(1, *)
    value = FloatBuffer(count: count)
    if fill != 0 { value.pointer.update(repeating: fill, count: count) }
  }

  /// Number of scalars.
  public var count: Int { value.count }

  /// A copy of the current values.
  public var values: [Float] { value.array }

  /// A copy of the gradient of the last `computeGradients` / `trainStep`.
  public var gradient: [Float] { grad.array }

  /// Overwrites the values (count must match).
  public func setValues(_ values: [Float]) {
    value.copy(from: values)
    didChange()
  }

  /// Records a write to `value` made through its pointer.
  func didChange() { version &+= 1 }
}

// MARK: - Adam

/// Adam exactly as Keras 3 applies it (defaults lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7):
/// alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (g - m)(1 - beta1);
/// v += (g^2 - v)(1 - beta2); w -= alpha * m / (sqrt(v) + epsilon).
public struct AdamSettings: Sendable, Codable, Equatable {
  public var learningRate: Float = 1e-3
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var epsilon: Float = 1e-7

  public init() {}
}

/// One Adam step on every trainable parameter. With `l2`, regularized kernels take the L2
/// gradient 2 * l2 * w in the same pass (their stored gradient is left without it); returns the
/// penalty l2 * sum(w^2) of the weights before the step (per-worker partials in worker order).
@discardableResult
func adamUpdate(
  _ parameters: [Parameter], step: Int, settings s: AdamSettings, l2: Float? = nil, workers: Workers
) -> Float {
  let t = Float(step)
  let alpha = s.learningRate * (1 - powf(s.beta2, t)).squareRoot() / (1 - powf(s.beta1, t))
  let oneMinusB1 = 1 - s.beta1
  let oneMinusB2 = 1 - s.beta2
  var penalty = 0.0
  var sums = [Double](repeating: 0, count: workers.count)
  for p in parameters where p.trainable {
    let w = SharedPointer(p.value.pointer)
    let g = SharedPointer(p.grad.pointer)
    let m = SharedPointer(p.m.pointer)
    let v = SharedPointer(p.v.pointer)
    let decay: Float = p.regularized ? 2 * (l2 ?? 0) : 0
    let frozen = p.frozen
    for i in sums.indices { sums[i] = 0 }
    sums.withUnsafeMutableBufferPointer { buffer in
      let partial = SharedPointer(buffer.address)
      workers.splitIndexed(p.count, grain: 1 << 15) { index, range in
        var squares: Float = 0
        for i in range {
          let wi = w[i]
          squares += wi * wi
          if frozen { continue }
          let gi = g[i] + decay * wi
          m[i] += (gi - m[i]) * oneMinusB1
          v[i] += (gi * gi - v[i]) * oneMinusB2
          w[i] = wi - m[i] * alpha / (v[i].squareRoot() + s.epsilon)
        }
        partial[index] = Double(squares)
      }
    }
    p.didChange()
    if p.regularized, l2 != nil { penalty += sums.reduce(0, +) }
  }
  return Float(penalty) * (l2 ?? 0)
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
