import Testing

@testable import Resnet3D

struct ConvCase: Sendable, CustomStringConvertible {
  var input: VolumeShape
  var kernel: Int
  var stride: [Int]
  var padding: Padding
  var filters: Int
  var description: String { "\(input) k\(kernel) s\(stride) \(padding) -> \(filters)" }
}

private let convCases: [ConvCase] = [
  ConvCase(input: VolumeShape(5, 4, 6, 3), kernel: 3, stride: [1, 1, 1], padding: .same, filters: 4),
  ConvCase(input: VolumeShape(7, 5, 6, 2), kernel: 3, stride: [2, 2, 2], padding: .same, filters: 3),
  ConvCase(input: VolumeShape(8, 7, 6, 3), kernel: 7, stride: [2, 2, 2], padding: .same, filters: 2),
  ConvCase(input: VolumeShape(5, 4, 3, 4), kernel: 1, stride: [2, 2, 1], padding: .valid, filters: 3),
  ConvCase(input: VolumeShape(4, 3, 3, 5), kernel: 1, stride: [1, 1, 1], padding: .same, filters: 6),
  // Late-stage shape: only the centre tap in H and W ever touches the input.
  ConvCase(input: VolumeShape(2, 1, 1, 4), kernel: 3, stride: [1, 1, 1], padding: .same, filters: 3),
  ConvCase(input: VolumeShape(4, 2, 2, 3), kernel: 3, stride: [2, 2, 2], padding: .same, filters: 2),
  ConvCase(input: VolumeShape(6, 5, 5, 2), kernel: 3, stride: [1, 1, 1], padding: .valid, filters: 2),
  // Few positions and 64 filters: workers split output columns instead of samples.
  ConvCase(input: VolumeShape(3, 2, 2, 8), kernel: 3, stride: [1, 1, 1], padding: .same, filters: 64),
]

@Test func sameAxisPadsTheOddPixelAfter() {
  // conv1 on 60 frames: out 30, total pad 5 -> 2 before, 3 after.
  let a = Axis(input: 60, kernel: 7, stride: 2, padding: .same)
  #expect(a.output == 30 && a.padBefore == 2)
  let pool = Axis(input: 15, kernel: 3, stride: 2, padding: .same)
  #expect(pool.output == 8 && pool.padBefore == 1)
  let late = Axis(input: 1, kernel: 3, stride: 1, padding: .same)
  #expect(late.validTaps == [1])
  let valid = Axis(input: 23, kernel: 1, stride: 2, padding: .valid)
  #expect(valid.output == 12)
}

@Test(arguments: convCases)
func convForwardMatchesDirectConvolution(_ c: ConvCase) {
  let workers = Workers(count: 2)
  let conv = Conv3D(
    name: "c", input: c.input, filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding)
  let batch = 2
  conv.kernel.setValues(randomFloats(conv.kernel.count, seed: 1))
  conv.bias.setValues(randomFloats(c.filters, seed: 2))
  let x = randomFloats(batch * c.input.count, seed: 3)
  let (expected, shape) = referenceConv(
    x: x, batch: batch, input: c.input, kernel: conv.kernel.values, bias: conv.bias.values, k: c.kernel,
    stride: c.stride, padding: c.padding, filters: c.filters)
  #expect(shape == conv.output)
  var y = [Float](repeating: 0, count: batch * conv.output.count)
  x.withUnsafeBufferPointer { px in
    y.withUnsafeMutableBufferPointer { py in
      conv.forward(px.baseAddress!, py.baseAddress!, batch: batch, ws: Workspace(), workers: workers)
    }
  }
  let worst = zip(y, expected).map { abs($0 - $1) }.max() ?? 0
  #expect(worst < 1e-4, "max abs error \(worst)")
}

@Test(arguments: convCases)
func convBackwardMatchesFiniteDifferences(_ c: ConvCase) {
  let workers = Workers(count: 2)
  let ws = Workspace()
  let conv = Conv3D(
    name: "c", input: c.input, filters: c.filters, kernel: c.kernel, stride: c.stride, padding: c.padding)
  let batch = 2
  conv.kernel.setValues(randomFloats(conv.kernel.count, seed: 4))
  conv.bias.setValues(randomFloats(c.filters, seed: 5))
  var x = randomFloats(batch * c.input.count, seed: 6)
  let r = randomFloats(batch * conv.output.count, seed: 7)
  // L = sum(y * r), so dL/dy = r.
  func loss(_ x: [Float]) -> Double {
    var y = [Float](repeating: 0, count: batch * conv.output.count)
    x.withUnsafeBufferPointer { px in
      y.withUnsafeMutableBufferPointer { py in
        conv.forward(px.baseAddress!, py.baseAddress!, batch: batch, ws: ws, workers: workers)
      }
    }
    return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
  }
  conv.kernel.grad.zero()
  conv.bias.grad.zero()
  var dx = [Float](repeating: 0, count: x.count)
  x.withUnsafeBufferPointer { px in
    r.withUnsafeBufferPointer { pr in
      dx.withUnsafeMutableBufferPointer { pd in
        conv.backward(
          px.baseAddress!, pr.baseAddress!, pd.baseAddress!, batch: batch, ws: ws, workers: workers)
      }
    }
  }
  // The loss is linear in x and w, so central differences are exact up to float rounding.
  let badX = gradientMismatches(
    values: &x, analytic: dx, indices: sampleIndices(x.count, count: 60), eps: 0.05, atol: 2e-3, rtol: 1e-2,
    loss: loss)
  #expect(badX.isEmpty, "dx mismatches: \(badX.prefix(5))")
  var w = conv.kernel.values
  let dw = conv.kernel.gradient
  let badW = gradientMismatches(
    values: &w, analytic: dw, indices: sampleIndices(w.count, count: 60), eps: 0.05, atol: 2e-3, rtol: 1e-2
  ) { w in
    conv.kernel.setValues(w)
    return loss(x)
  }
  #expect(badW.isEmpty, "dW mismatches: \(badW.prefix(5))")
  conv.kernel.setValues(w)
  var b = conv.bias.values
  let db = conv.bias.gradient
  let badB = gradientMismatches(
    values: &b, analytic: db, indices: Array(0..<b.count), eps: 0.05, atol: 2e-3, rtol: 1e-2
  ) { b in
    conv.bias.setValues(b)
    return loss(x)
  }
  #expect(badB.isEmpty, "db mismatches: \(badB.prefix(5))")
}

@Test func greyConvEqualsThreeChannelConvOnRepeatedInput() {
  let workers = Workers(count: 2)
  let ws = Workspace()
  let shape = VolumeShape(6, 5, 4, 3)
  let grey = VolumeShape(6, 5, 4, 1)
  let full = Conv3D(name: "c", input: shape, filters: 3, kernel: 7, stride: [2, 2, 2], padding: .same)
  let folded = Conv3D(
    name: "c", input: grey, filters: 3, kernel: 7, stride: [2, 2, 2], padding: .same, fold: 3)
  #expect(folded.kernel.shape == full.kernel.shape)
  let kernel = randomFloats(full.kernel.count, seed: 8)
  full.kernel.setValues(kernel)
  folded.kernel.setValues(kernel)
  let g = randomFloats(2 * grey.count, seed: 9)
  let rgb = g.flatMap { [$0, $0, $0] }
  var y1 = [Float](repeating: 0, count: 2 * full.output.count)
  var y2 = y1
  let r = randomFloats(y1.count, seed: 10)
  full.kernel.grad.zero()
  folded.kernel.grad.zero()
  rgb.withUnsafeBufferPointer { x in
    y1.withUnsafeMutableBufferPointer {
      full.forward(x.baseAddress!, $0.baseAddress!, batch: 2, ws: ws, workers: workers)
    }
    r.withUnsafeBufferPointer {
      full.backward(x.baseAddress!, $0.baseAddress!, nil, batch: 2, ws: ws, workers: workers)
    }
  }
  g.withUnsafeBufferPointer { x in
    y2.withUnsafeMutableBufferPointer {
      folded.forward(x.baseAddress!, $0.baseAddress!, batch: 2, ws: ws, workers: workers)
    }
    r.withUnsafeBufferPointer {
      folded.backward(x.baseAddress!, $0.baseAddress!, nil, batch: 2, ws: ws, workers: workers)
    }
  }
  let worstY = zip(y1, y2).map { abs($0 - $1) }.max() ?? 0
  let worstW = zip(full.kernel.gradient, folded.kernel.gradient).map { abs($0 - $1) }.max() ?? 0
  #expect(worstY < 1e-4)
  #expect(worstW < 1e-3)
}

@Test func workersGiveTheSameConvolutionAsOneWorker() {
  // Grey conv1 geometry: short column runs copied 8 lanes at a time next to the other worker's
  // chunk; repeated to give a race a chance to show.
  let input = VolumeShape(16, 12, 12, 1)
  let conv = Conv3D(
    name: "c", input: input, filters: 8, kernel: 7, stride: [2, 2, 2], padding: .same, fold: 3)
  conv.kernel.setValues(randomFloats(conv.kernel.count, seed: 31))
  let batch = 4
  let x = randomFloats(batch * input.count, seed: 32)
  func run(_ workers: Int) -> [Float] {
    var y = [Float](repeating: 0, count: batch * conv.output.count)
    x.withUnsafeBufferPointer { px in
      y.withUnsafeMutableBufferPointer { py in
        conv.forward(
          px.baseAddress!, py.baseAddress!, batch: batch, ws: Workspace(), workers: Workers(count: workers))
      }
    }
    return y
  }
  let reference = run(1)
  // Two workers hand OpenBLAS narrower GEMMs, whose kernels may sum in another order: equal to float
  // rounding relative to the outputs' size. A race shows as whole wrong values, far beyond that.
  let scale = max(1, reference.map(abs).max() ?? 0)
  for _ in 0..<20 {
    let worst = zip(run(2), reference).map { abs($0 - $1) }.max() ?? 0
    #expect(worst < 1e-5 * scale)
  }
}
