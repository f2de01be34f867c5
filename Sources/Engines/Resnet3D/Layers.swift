// The non-convolution layers, each a forward/backward pair: fused batch normalization + ReLU,
// 3D max pooling, global average pooling, dense, and sigmoid binary cross-entropy from logits.
// Backward functions accumulate into their input gradients (+=); zeroing is done by the caller.
import Primitives

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
        let acc = SharedPointer(buffer.address)
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
      movingMean.didChange()
      movingVariance.didChange()
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
        let (a, b) = (SharedPointer(sc.address), SharedPointer(sh.address))
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
  ///
  /// With g = dy * [y > 0], xhat = (x - mean) * invStd, a = gamma * invStd:
  /// dgamma += sum(g * xhat), dbeta += sum(g), and in training
  /// dx += a * (g - mean(g) - xhat * mean(g * xhat)) = a * g + p * x + q per channel.
  /// Without `parameterGradients` (and not `training`) the sums are skipped: dx += a * g needs none.
  func backward(
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, rows: Int, training: Bool, workers: Workers,
    parameterGradients: Bool = true
  ) {
    let c = channels
    let (px, py, pdy, pdx) = (SharedPointer(x), SharedPointer(y), SharedPointer(dy), SharedPointer(dx))
    let sums = training || parameterGradients
    // Sums of g and g * x per channel: float over blocks of rows (vectorizes over channels), then
    // double across blocks and workers (in worker order, so deterministic).
    partials = Array(repeating: 0, count: workers.count * 2 * c)
    partials.withUnsafeMutableBufferPointer { buffer in
      let acc = SharedPointer(buffer.address)
      workers.splitIndexed(sums ? rows : 0, grain: 64) { index, range in
        let total = acc + index * 2 * c
        let block = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c)
        defer { block.deallocate() }
        var r = range.lowerBound
        while r < range.upperBound {
          let end = min(range.upperBound, r + 64)
          block.initialize(repeating: 0, count: 2 * c)
          if c % 16 == 0 {
            // 16 channels at a time (the compiler cannot prove the block does not alias the inputs).
            let lanes = c / 16
            let sums = UnsafeMutableRawPointer(block)
            for row in r..<end {
              let (xi, yi, gi) = (
                UnsafeRawPointer(px.base + row * c), UnsafeRawPointer(py.base + row * c),
                UnsafeRawPointer(pdy.base + row * c)
              )
              for k in 0..<lanes {
                let o = k * 64
                let y = yi.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                let g = gi.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self).replacing(
                  with: 0, where: y .<= 0)
                let x = xi.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                let s = sums.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) + g
                let d = sums.loadUnaligned(fromByteOffset: c * 4 + o, as: SIMD16<Float>.self) + g * x
                sums.storeBytes(of: s, toByteOffset: o, as: SIMD16<Float>.self)
                sums.storeBytes(of: d, toByteOffset: c * 4 + o, as: SIMD16<Float>.self)
              }
            }
          } else {
            for row in r..<end {
              let (xi, yi, gi) = (px.base + row * c, py.base + row * c, pdy.base + row * c)
              for j in 0..<c {
                let g: Float = yi[j] > 0 ? gi[j] : 0
                block[j] += g
                block[c + j] += g * xi[j]
              }
            }
          }
          for j in 0..<(2 * c) { total[j] += Double(block[j]) }
          r = end
        }
      }
    }
    var scale = [Float](repeating: 0, count: c)
    var slope = [Float](repeating: 0, count: c)
    var offset = [Float](repeating: 0, count: c)
    for j in 0..<c {
      let inv = Double(invStd[j])
      let a = Double(gamma.value.pointer[j]) * inv
      scale[j] = Float(a)
      guard sums else { continue }
      var sum = 0.0
      var dot = 0.0
      for i in 0..<workers.count {
        sum += partials[i * 2 * c + j]
        dot += partials[i * 2 * c + c + j]
      }
      let mu = Double(mean[j])
      let dotXhat = inv * (dot - mu * sum)
      gamma.grad.pointer[j] += Float(dotXhat)
      beta.grad.pointer[j] += Float(sum)
      if training {
        let meanG = sum / Double(rows)
        let meanGXhat = dotXhat / Double(rows)
        // a * (g - meanG - (x - mu) * inv * meanGXhat)
        slope[j] = Float(-a * inv * meanGXhat)
        offset[j] = Float(-a * meanG + a * inv * meanGXhat * mu)
      }
    }
    scale.withUnsafeBufferPointer { sc in
      slope.withUnsafeBufferPointer { sl in
        offset.withUnsafeBufferPointer { of in
          let (a, p, q) = (
            SharedPointer(sc.address), SharedPointer(sl.address), SharedPointer(of.address)
          )
          workers.split(rows, grain: 64) { range in
            for r in range {
              let (xi, yi, gi, di) = (px.base + r * c, py.base + r * c, pdy.base + r * c, pdx.base + r * c)
              if training && c % 16 == 0 {
                let (x, y, g, d) = (
                  UnsafeRawPointer(xi), UnsafeRawPointer(yi), UnsafeRawPointer(gi),
                  UnsafeMutableRawPointer(di)
                )
                let (ra, rp, rq) = (
                  UnsafeRawPointer(a.base), UnsafeRawPointer(p.base), UnsafeRawPointer(q.base)
                )
                for k in 0..<(c / 16) {
                  let o = k * 64
                  let yv = y.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                  let gv = g.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self).replacing(
                    with: 0, where: yv .<= 0)
                  let xv = x.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                  var dv = d.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                  dv += ra.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) * gv
                  dv += rp.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) * xv
                  dv += rq.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                  d.storeBytes(of: dv, toByteOffset: o, as: SIMD16<Float>.self)
                }
              } else if training {
                for j in 0..<c {
                  let g: Float = yi[j] > 0 ? gi[j] : 0
                  di[j] += a.base[j] * g + p.base[j] * xi[j] + q.base[j]
                }
              } else {
                for j in 0..<c {
                  let g: Float = yi[j] > 0 ? gi[j] : 0
                  di[j] += a.base[j] * g
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

  convenience init(input: VolumeShape, pool: Int, stride: Int) {
    self.init(input: input, pool: [pool, pool, pool], stride: [stride, stride, stride])
  }

  /// Window and stride per axis (D, H, W); the 2D network's are (1, 3, 3) and (1, 2, 2).
  init(input: VolumeShape, pool: [Int], stride: [Int]) {
    self.input = input
    axes = (
      Axis(input: input.depth, kernel: pool[0], stride: stride[0], padding: .same),
      Axis(input: input.height, kernel: pool[1], stride: stride[1], padding: .same),
      Axis(input: input.width, kernel: pool[2], stride: stride[2], padding: .same)
    )
    output = VolumeShape(axes.d.output, axes.h.output, axes.w.output, input.channels)
  }

  /// With `training`, records the winners for backward.
  func forward(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, training: Bool, workers: Workers
  ) {
    let c = input.channels
    let rows = batch * output.positions
    if training && argmax.count != rows * c { argmax = Array(repeating: 0, count: rows * c) }
    let (px, py) = (SharedPointer(x), SharedPointer(y))
    let (ad, ah, aw) = axes
    let (hIn, wIn) = (input.height, input.width)
    let (ho, wo, positions, sampleIn) = (output.height, output.width, output.positions, input.count)
    let body = { (arg: SharedPointer<Int32>?) in
      workers.split(rows, grain: 16) { range in
        for r in range {
          let n = r / positions
          var p = r % positions
          let ow = p % wo
          p /= wo
          let oh = p % ho
          let od = p / ho
          let out = py.base + r * c
          out.initialize(repeating: -Float.infinity, count: c)
          let win = arg.map { $0.base + r * c }
          win?.initialize(repeating: -1, count: c)
          let base = px.base + n * sampleIn
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
                if let win {
                  // First maximum wins (strictly greater replaces), branch-free per channel.
                  for j in 0..<c {
                    let better = v[j] > out[j]
                    out[j] = better ? v[j] : out[j]
                    win[j] = better ? Int32(truncatingIfNeeded: offset + j) : win[j]
                  }
                } else {
                  for j in 0..<c { out[j] = max(out[j], v[j]) }
                }
              }
            }
          }
        }
      }
    }
    if training {
      argmax.withUnsafeMutableBufferPointer { body(SharedPointer($0.address)) }
    } else {
      body(nil)
    }
  }

  func backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, workers: Workers) {
    let perSample = output.count
    let sampleIn = input.count
    let (pdy, pdx) = (SharedPointer(dy), SharedPointer(dx))
    argmax.withUnsafeBufferPointer { buffer in
      let arg = SharedPointer(buffer.address)
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

  /// Accumulates dkernel, dbias (unless `parameterGradients` is false) and (when given) dx.
  func backward(
    _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>?, batch: Int,
    parameterGradients: Bool = true
  ) {
    let w = kernel.value.pointer
    for n in 0..<batch {
      for o in 0..<outputs {
        let g = dy[n * outputs + o]
        if let dx {
          for i in 0..<inputs { dx[n * inputs + i] += g * w[i * outputs + o] }
        }
        guard parameterGradients else { continue }
        let dw = kernel.grad.pointer
        bias.grad.pointer[o] += g
        for i in 0..<inputs { dw[i * outputs + o] += g * x[n * inputs + i] }
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
