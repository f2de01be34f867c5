import Primitives
import Testing

@testable import Resnet3D

/// Runs `body` with the three buffers as pointers.
private func withPointers<R>(
  _ a: [Float], _ b: inout [Float], _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> R
) -> R {
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeMutableBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) }
  }
}

// 5 channels takes the scalar path, 32 the 16-lane one.
@Test(arguments: [true, false], [5, 32])
func batchNormReLUBackwardMatchesFiniteDifferences(training: Bool, channels: Int) {
  let workers = Workers(count: 2)
  let rows = 24
  let bn = BatchNormReLU(name: "bn", channels: channels)
  bn.gamma.setValues(randomFloats(channels, seed: 1, scale: 0.5).map { $0 + 1 })
  bn.beta.setValues(randomFloats(channels, seed: 2, scale: 0.3))
  bn.movingMean.setValues(randomFloats(channels, seed: 3, scale: 0.2))
  bn.movingVariance.setValues(randomFloats(channels, seed: 4, scale: 0.2).map { 1 + abs($0) })
  var x = randomFloats(rows * channels, seed: 5)
  let r = randomFloats(rows * channels, seed: 6)
  let saved = bn.parameters.map(\.values)
  func loss(_ x: [Float]) -> Double {
    // Forward in training mode moves the moving statistics: restore them so every call sees the same.
    for (p, v) in zip(bn.parameters, saved) where !p.trainable { p.setValues(v) }
    var y = [Float](repeating: 0, count: x.count)
    withPointers(x, &y) { bn.forward($0, $1, rows: rows, training: training, workers: workers) }
    return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
  }
  _ = loss(x)
  var y = [Float](repeating: 0, count: x.count)
  withPointers(x, &y) { bn.forward($0, $1, rows: rows, training: training, workers: workers) }
  var dx = [Float](repeating: 0, count: x.count)
  bn.gamma.grad.zero()
  bn.beta.grad.zero()
  x.withUnsafeBufferPointer { px in
    y.withUnsafeBufferPointer { py in
      r.withUnsafeBufferPointer { pr in
        dx.withUnsafeMutableBufferPointer { pd in
          bn.backward(
            px.baseAddress!, py.baseAddress!, pr.baseAddress!, pd.baseAddress!, rows: rows,
            training: training,
            workers: workers)
        }
      }
    }
  }
  let tol = (eps: Float(1e-3), atol: 5e-3, rtol: 2e-2)
  let badX = gradientMismatches(
    values: &x, analytic: dx, indices: Array(0..<x.count), eps: tol.eps, atol: tol.atol, rtol: tol.rtol,
    loss: loss)
  // An element whose pre-activation lies within eps of the ReLU kink gives a meaningless central
  // difference (it and its channel's gamma/beta); with 768 elements that happens about once.
  #expect(badX.count <= x.count / 100, "dx mismatches: \(badX.prefix(5))")
  for p in [bn.gamma, bn.beta] {
    var v = p.values
    let g = p.gradient
    let bad = gradientMismatches(
      values: &v, analytic: g, indices: Array(0..<v.count), eps: tol.eps, atol: tol.atol, rtol: tol.rtol
    ) { v in
      p.setValues(v)
      return loss(x)
    }
    p.setValues(v)
    #expect(bad.count <= max(1, badX.count), "\(p.name) mismatches: \(bad.prefix(5))")
  }
}

@Test func batchNormUpdatesMovingStatisticsLikeKeras() {
  let bn = BatchNormReLU(name: "bn", channels: 1)
  let x: [Float] = [1, 2, 3, 6]
  var y = [Float](repeating: 0, count: 4)
  withPointers(x, &y) { bn.forward($0, $1, rows: 4, training: true, workers: Workers(count: 1)) }
  // mean 3, biased variance 3.5; moving = 0.99 * old + 0.01 * batch.
  #expect(abs(bn.movingMean.values[0] - 0.03) < 1e-6)
  #expect(abs(bn.movingVariance.values[0] - (0.99 + 0.035)) < 1e-6)
  let expected = x.map { max(0, ($0 - 3) / (3.5 + 1e-3).squareRoot()) }
  #expect(zip(y, expected).allSatisfy { abs($0 - $1) < 1e-5 })
}

@Test func maxPoolForwardAndBackward() {
  let workers = Workers(count: 2)
  let shape = VolumeShape(5, 4, 3, 2)
  let pool = MaxPool3D(input: shape, pool: 3, stride: 2)
  #expect(pool.output == VolumeShape(3, 2, 2, 2))
  let batch = 2
  var x = randomFloats(batch * shape.count, seed: 11)
  let r = randomFloats(batch * pool.output.count, seed: 12)
  func run(_ x: [Float]) -> [Float] {
    var y = [Float](repeating: 0, count: batch * pool.output.count)
    withPointers(x, &y) { pool.forward($0, $1, batch: batch, training: true, workers: workers) }
    return y
  }
  // Reference: window max with "same" padding (pad total 2 on depth 5 -> 1 before).
  let y = run(x)
  let axes = pool.axes
  for n in 0..<batch {
    for od in 0..<3 {
      for oh in 0..<2 {
        for ow in 0..<2 {
          for c in 0..<2 {
            var best = -Float.infinity
            for a in 0..<3 {
              for b in 0..<3 {
                for e in 0..<3 {
                  let (d, h, w) = (
                    od * 2 - axes.d.padBefore + a, oh * 2 - axes.h.padBefore + b,
                    ow * 2 - axes.w.padBefore + e
                  )
                  guard (0..<5).contains(d), (0..<4).contains(h), (0..<3).contains(w) else { continue }
                  best = max(best, x[n * shape.count + ((d * 4 + h) * 3 + w) * 2 + c])
                }
              }
            }
            #expect(y[n * pool.output.count + ((od * 2 + oh) * 2 + ow) * 2 + c] == best)
          }
        }
      }
    }
  }
  var dx = [Float](repeating: 0, count: x.count)
  withPointers(r, &dx) { pool.backward($0, $1, batch: batch, workers: workers) }
  let bad = gradientMismatches(
    values: &x, analytic: dx, indices: Array(0..<x.count), eps: 1e-3, atol: 1e-3, rtol: 1e-2
  ) { x in zip(run(x), r).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
  #expect(bad.isEmpty, "dx mismatches: \(bad.prefix(5))")
}

@Test func averagePoolDenseAndCrossEntropyBackward() {
  let batch = 3
  let positions = 4
  let channels = 5
  var x = randomFloats(batch * positions * channels, seed: 21)
  let dense = Dense(name: "d", inputs: channels, outputs: 1)
  dense.kernel.setValues(randomFloats(channels, seed: 22))
  dense.bias.setValues([0.3])
  let labels: [Float] = [1, 0, 1]
  func loss(_ x: [Float]) -> Double {
    var f = [Float](repeating: 0, count: batch * channels)
    var z = [Float](repeating: 0, count: batch)
    withPointers(x, &f) {
      GlobalAveragePool.forward($0, $1, batch: batch, positions: positions, channels: channels)
    }
    withPointers(f, &z) { dense.forward($0, $1, batch: batch) }
    return Double(
      z.withUnsafeBufferPointer { SigmoidCrossEntropy.forward(logits: $0.baseAddress!, labels: labels) })
  }
  var f = [Float](repeating: 0, count: batch * channels)
  var z = [Float](repeating: 0, count: batch)
  withPointers(x, &f) {
    GlobalAveragePool.forward($0, $1, batch: batch, positions: positions, channels: channels)
  }
  withPointers(f, &z) { dense.forward($0, $1, batch: batch) }
  var dz = [Float](repeating: 0, count: batch)
  z.withUnsafeBufferPointer { pz in
    dz.withUnsafeMutableBufferPointer {
      SigmoidCrossEntropy.backward(logits: pz.baseAddress!, labels: labels, dlogits: $0.baseAddress!)
    }
  }
  var df = [Float](repeating: 0, count: f.count)
  dense.kernel.grad.zero()
  dense.bias.grad.zero()
  f.withUnsafeBufferPointer { pf in
    dz.withUnsafeBufferPointer { pz in
      df.withUnsafeMutableBufferPointer {
        dense.backward(pf.baseAddress!, pz.baseAddress!, $0.baseAddress!, batch: batch)
      }
    }
  }
  var dx = [Float](repeating: 0, count: x.count)
  withPointers(df, &dx) {
    GlobalAveragePool.backward($0, $1, batch: batch, positions: positions, channels: channels)
  }
  let bad = gradientMismatches(
    values: &x, analytic: dx, indices: Array(0..<x.count), eps: 1e-2, atol: 1e-4, rtol: 1e-2, loss: loss)
  #expect(bad.isEmpty, "dx mismatches: \(bad.prefix(5))")
  var w = dense.kernel.values
  let badW = gradientMismatches(
    values: &w, analytic: dense.kernel.gradient, indices: Array(0..<w.count), eps: 1e-2, atol: 1e-4,
    rtol: 1e-2
  ) { w in
    dense.kernel.setValues(w)
    return loss(x)
  }
  #expect(badW.isEmpty, "dW mismatches: \(badW.prefix(5))")
}

@Test func crossEntropyIsStableForLargeLogits() {
  let z: [Float] = [80, -80, 0]
  let loss = z.withUnsafeBufferPointer {
    SigmoidCrossEntropy.forward(logits: $0.baseAddress!, labels: [0, 1, 1])
  }
  // (80 + 80 + log 2) / 3
  #expect(abs(loss - Float((160 + 0.693_147_18) / 3)) < 1e-4)
  #expect(loss.isFinite)
}

@Test func adamFollowsKerasUpdateRule() {
  let p = Parameter(name: "w", shape: [2])
  p.setValues([1, -2])
  p.grad.copy(from: [0.5, -0.25])
  adamUpdate([p], step: 1, settings: AdamSettings(), workers: Workers(count: 1))
  // Step 1: m = 0.1 g, v = 0.001 g^2, alpha = lr * sqrt(0.001) / 0.1 -> w -= lr * g / (|g| + eps').
  let expected: [Float] = [1 - 1e-3, -2 + 1e-3]
  #expect(zip(p.values, expected).allSatisfy { abs($0 - $1) < 1e-6 })
}

@Test func heNormalIsTruncatedAndScaled() {
  let buffer = FloatBuffer(count: 20_000)
  var g = SeededGenerator(seed: 3)
  heNormal(buffer, fanIn: 50, generator: &g)
  let v = buffer.array
  let limit = Float(2 * (2.0 / 50).squareRoot() / 0.879_625_661_034_239_78)
  #expect(v.allSatisfy { abs($0) <= limit })
  let variance = v.reduce(0) { $0 + Double($1 * $1) } / Double(v.count)
  #expect(abs(variance - 2.0 / 50) < 0.004)
}
