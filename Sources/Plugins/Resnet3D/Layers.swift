// The non-convolution layers, each a forward/backward pair: fused batch normalization + ReLU,
// 3D max pooling, global average pooling, dense, and sigmoid binary cross-entropy from logits.
// Backward functions accumulate into their input gradients (+=); zeroing is done by the caller.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// MARK: - Batch normalization + ReLU

/// y = relu(gamma * (x - mean) / sqrt(var + eps) + beta) per channel, over (N, D, H, W).
/// Training uses the batch statistics (biased variance) and updates the moving ones as Keras
/// does: moving = moving * momentum + batch * (1 - momentum). Inference uses the moving ones.
final class BatchNormReLU {
  static let momentum: Float = 0.99
  static let epsilon: Float = 1e-3
  let name: String
  let channels: Int
  let gamma: Parameter
  let beta: Parameter
  let movingMean: Parameter
  let movingVariance: Parameter
  /// Statistics of the last forward (batch ones in training, moving ones in inference): (C).
  private var mean: [Float]
  private var invStd: [Float]
  private var partials: [Double]

  init(name: String, channels: Int) {
    self.name = name
    self.channels = channels
    gamma = Parameter(name: name + ".gamma", shape: [channels], fill: 1)
    beta = Parameter(name: name + ".beta", shape: [channels])
    movingMean = Parameter(name: name + ".moving_mean", shape: [channels], trainable: false)
    movingVariance = Parameter(
      name: name + ".moving_variance", shape: [channels], trainable: false, fill: 1)
    mean = Array(repeating: 0, count: channels)
    invStd = Array(repeating: 1, count: channels)
    partials = []
  }

  /// x, y: (rows, C) with rows = N * D * H * W.
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, training: Bool,
    workers: Workers
  ) {
    let c = channels
    let px = SharedPointer(x)
    if training {
      partials = Array(repeating: 0, count: workers.count * 2 * c)
      partials.withUnsafeMutableBufferPointer { buffer in
        let acc = SharedPointer(buffer.baseAddress!)
        workers.splitIndexed(rows, grain: 64) { index, range in
          let s = acc + index * 2 * c
          var sum = [Double](repeating: 0, count: c)
          var squares = [Double](repeating: 0, count: c)
          for r in range {
            let row = px + r * c
            for j in 0..<c {
              let v = Double(row[j])
              sum[j] += v
              squares[j] += v * v
            }
          }
          for j in 0..<c {
            s[j] = sum[j]
            s[c + j] = squares[j]
          }
        }
      }
      let count = Double(rows)
      for j in 0..<c {
        var sum = 0.0
        var squares = 0.0
        for i in 0..<workers.count {
          sum += partials[i * 2 * c + j]
          squares += partials[i * 2 * c + c + j]
        }
        let m = sum / count
        let variance = max(squares / count - m * m, 0)
        mean[j] = Float(m)
        invStd[j] = Float(1 / (variance + Double(Self.epsilon)).squareRoot())
        let mm = movingMean.value.pointer
        let mv = movingVariance.value.pointer
        mm[j] = mm[j] * Self.momentum + Float(m) * (1 - Self.momentum)
        mv[j] = mv[j] * Self.momentum + Float(variance) * (1 - Self.momentum)
      }
    } else {
      for j in 0..<c {
        mean[j] = movingMean.value.pointer[j]
        invStd[j] = 1 / (movingVariance.value.pointer[j] + Self.epsilon).squareRoot()
      }
    }
    var scale = [Float](repeating: 0, count: c)
    var shift = [Float](repeating: 0, count: c)
    for j in 0..<c {
      scale[j] = gamma.value.pointer[j] * invStd[j]
      shift[j] = beta.value.pointer[j] - mean[j] * scale[j]
    }
    let py = SharedPointer(y)
    scale.withUnsafeBufferPointer { sc in
      shift.withUnsafeBufferPointer { sh in
        let (a, b) = (SharedPointer(sc.baseAddress!), SharedPointer(sh.baseAddress!))
        workers.split(rows, grain: 64) { range in
          for r in range {
            let xi = px + r * c
            let yi = py + r * c
            for j in 0..<c { yi[j] = max(xi[j] * a[j] + b[j], 0) }
          }
        }
      }
    }
  }

  /// dx += dL/dx given y (the forward output, for the ReLU mask) and dy; accumulates dgamma, dbeta.
  /// `training` must match the forward call.
  func backward(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, rows: Int, training: Bool, workers: Workers
  ) {
    let c = channels
    let (px, py, pdy, pdx) = (SharedPointer(x), SharedPointer(y), SharedPointer(dy), SharedPointer(dx))
    // Sums of dy' = dy * [y > 0] and dy' * x per channel.
    partials = Array(repeating: 0, count: workers.count * 2 * c)
    partials.withUnsafeMutableBufferPointer { buffer in
      let acc = SharedPointer(buffer.baseAddress!)
      workers.splitIndexed(rows, grain: 64) { index, range in
        let s = acc + index * 2 * c
        var sum = [Double](repeating: 0, count: c)
        var dot = [Double](repeating: 0, count: c)
        for r in range {
          let (xi, yi, gi) = (px + r * c, py + r * c, pdy + r * c)
          for j in 0..<c where yi[j] > 0 {
            let g = Double(gi[j])
            sum[j] += g
            dot[j] += g * Double(xi[j])
          }
        }
        for j in 0..<c {
          s[j] = sum[j]
          s[c + j] = dot[j]
        }
      }
    }
    var scale = [Float](repeating: 0, count: c)
    var meanDy = [Float](repeating: 0, count: c)
    var meanDyXhat = [Float](repeating: 0, count: c)
    for j in 0..<c {
      var sum = 0.0
      var dot = 0.0
      for i in 0..<workers.count {
        sum += partials[i * 2 * c + j]
        dot += partials[i * 2 * c + c + j]
      }
      let inv = Double(invStd[j])
      let dotXhat = inv * (dot - Double(mean[j]) * sum)
      gamma.grad.pointer[j] += Float(dotXhat)
      beta.grad.pointer[j] += Float(sum)
      scale[j] = gamma.value.pointer[j] * invStd[j]
      meanDy[j] = Float(sum / Double(rows))
      meanDyXhat[j] = Float(dotXhat / Double(rows))
    }
    let mean = self.mean
    let invStd = self.invStd
    scale.withUnsafeBufferPointer { sc in
      meanDy.withUnsafeBufferPointer { md in
        meanDyXhat.withUnsafeBufferPointer { mx in
          mean.withUnsafeBufferPointer { mu in
            invStd.withUnsafeBufferPointer { iv in
              let (a, b, e) = (
                SharedPointer(sc.baseAddress!), SharedPointer(md.baseAddress!), SharedPointer(mx.baseAddress!)
              )
              let (mu, iv) = (SharedPointer(mu.baseAddress!), SharedPointer(iv.baseAddress!))
              workers.split(rows, grain: 64) { range in
                for r in range {
                  let (xi, yi, gi, di) = (px + r * c, py + r * c, pdy + r * c, pdx + r * c)
                  if training {
                    for j in 0..<c {
                      let g: Float = yi[j] > 0 ? gi[j] : 0
                      let xhat = (xi[j] - mu[j]) * iv[j]
                      di[j] += a[j] * (g - b[j] - xhat * e[j])
                    }
                  } else {
                    for j in 0..<c where yi[j] > 0 { di[j] += a[j] * gi[j] }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  var parameters: [Parameter] { [gamma, beta, movingMean, movingVariance] }
}

// MARK: - Max pooling

/// 3D max pooling, TensorFlow "same" (padding never wins the max). Backward routes each output
/// gradient to the first maximal input of its window (recorded in forward).
final class MaxPool3D {
  let input: VolumeShape
  let output: VolumeShape
  let axes: (d: Axis, h: Axis, w: Axis)
  /// Per output element: index of the winning input element within its sample. (N, Do, Ho, Wo, C)
  private var argmax: [Int32] = []

  init(input: VolumeShape, pool: Int, stride: Int) {
    self.input = input
    axes = (
      Axis(input: input.depth, kernel: pool, stride: stride, padding: .same),
      Axis(input: input.height, kernel: pool, stride: stride, padding: .same),
      Axis(input: input.width, kernel: pool, stride: stride, padding: .same)
    )
    output = VolumeShape(axes.d.output, axes.h.output, axes.w.output, input.channels)
  }

  func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, workers: Workers) {
    let c = input.channels
    let rows = batch * output.positions
    if argmax.count != rows * c { argmax = Array(repeating: 0, count: rows * c) }
    let (px, py) = (SharedPointer(x), SharedPointer(y))
    let (ad, ah, aw) = axes
    let (hIn, wIn) = (input.height, input.width)
    let (ho, wo, positions, sampleIn) = (output.height, output.width, output.positions, input.count)
    argmax.withUnsafeMutableBufferPointer { buffer in
      let arg = SharedPointer(buffer.baseAddress!)
      workers.split(rows, grain: 16) { range in
        for r in range {
          let n = r / positions
          var p = r % positions
          let ow = p % wo
          p /= wo
          let oh = p % ho
          let od = p / ho
          let out = py + r * c
          let win = arg + r * c
          for j in 0..<c {
            out[j] = -Float.infinity
            win[j] = -1
          }
          let base = px + n * sampleIn
          for jd in 0..<ad.kernel {
            let id = od * ad.stride - ad.padBefore + jd
            guard id >= 0, id < ad.input else { continue }
            for jh in 0..<ah.kernel {
              let ih = oh * ah.stride - ah.padBefore + jh
              guard ih >= 0, ih < hIn else { continue }
              for jw in 0..<aw.kernel {
                let iw = ow * aw.stride - aw.padBefore + jw
                guard iw >= 0, iw < wIn else { continue }
                let offset = ((id * hIn + ih) * wIn + iw) * c
                let v = base + offset
                for j in 0..<c where v[j] > out[j] {
                  out[j] = v[j]
                  win[j] = Int32(offset + j)
                }
              }
            }
          }
        }
      }
    }
  }

  func backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, workers: Workers) {
    let perSample = output.count
    let sampleIn = input.count
    let (pdy, pdx) = (SharedPointer(dy), SharedPointer(dx))
    argmax.withUnsafeBufferPointer { buffer in
      let arg = SharedPointer(buffer.baseAddress!)
      // Samples own disjoint parts of dx.
      workers.split(batch) { samples in
        for n in samples {
          let g = pdy + n * perSample
          let a = arg + n * perSample
          let d = pdx + n * sampleIn
          for i in 0..<perSample where a[i] >= 0 { d[Int(a[i])] += g[i] }
        }
      }
    }
  }
}

// MARK: - Global average pooling

/// y (N, C) = mean of x (N, P, C) over the P positions.
enum GlobalAveragePool {
  static func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, positions: Int, channels c: Int
  ) {
    for n in 0..<batch {
      let out = y + n * c
      out.update(repeating: 0, count: c)
      for p in 0..<positions {
        let row = x + (n * positions + p) * c
        for j in 0..<c { out[j] += row[j] }
      }
      let scale = 1 / Float(positions)
      for j in 0..<c { out[j] *= scale }
    }
  }

  static func backward(
    _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, positions: Int, channels c: Int
  ) {
    let scale = 1 / Float(positions)
    for n in 0..<batch {
      let g = dy + n * c
      for p in 0..<positions {
        let row = dx + (n * positions + p) * c
        for j in 0..<c { row[j] += g[j] * scale }
      }
    }
  }
}

// MARK: - Dense

/// logits (N, Co) = x (N, Ci) x kernel (Ci, Co) + bias (Co).
final class Dense {
  let kernel: Parameter
  let bias: Parameter
  let inputs: Int
  let outputs: Int

  init(name: String, inputs: Int, outputs: Int) {
    self.inputs = inputs
    self.outputs = outputs
    kernel = Parameter(name: name + ".kernel", shape: [inputs, outputs], regularized: true)
    bias = Parameter(name: name + ".bias", shape: [outputs])
  }

  func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int) {
    let w = kernel.value.pointer
    for n in 0..<batch {
      for o in 0..<outputs {
        var s = bias.value.pointer[o]
        for i in 0..<inputs { s += x[n * inputs + i] * w[i * outputs + o] }
        y[n * outputs + o] = s
      }
    }
  }

  /// Accumulates dkernel, dbias and (when given) dx.
  func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?, batch: Int
  ) {
    let w = kernel.value.pointer
    let dw = kernel.grad.pointer
    for n in 0..<batch {
      for o in 0..<outputs {
        let g = dy[n * outputs + o]
        bias.grad.pointer[o] += g
        for i in 0..<inputs {
          dw[i * outputs + o] += g * x[n * inputs + i]
          if let dx { dx[n * inputs + i] += g * w[i * outputs + o] }
        }
      }
    }
  }
}

// MARK: - Sigmoid + binary cross-entropy

/// Mean binary cross-entropy of sigmoid(z) against labels, computed stably from the logits:
/// max(z, 0) - z * y + log(1 + exp(-|z|)). Backward: dz = (sigmoid(z) - y) / N.
enum SigmoidCrossEntropy {
  static func forward(logits: UnsafePointer<Float>, labels: [Float]) -> Float {
    var total = 0.0
    for (i, y) in labels.enumerated() {
      let z = Double(logits[i])
      total += max(z, 0) - z * Double(y) + log1p(exp(-abs(z)))
    }
    return Float(total / Double(labels.count))
  }

  static func backward(logits: UnsafePointer<Float>, labels: [Float], dlogits: UnsafeMutablePointer<Float>) {
    let n = Float(labels.count)
    for (i, y) in labels.enumerated() { dlogits[i] += (sigmoid(logits[i]) - y) / n }
  }

  static func sigmoid(_ z: Float) -> Float {
    z >= 0 ? 1 / (1 + expf(-z)) : expf(z) / (1 + expf(z))
  }
}
