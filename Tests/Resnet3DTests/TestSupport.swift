import Foundation
import Primitives

@testable import Resnet3D

/// Deterministic random floats for tests.
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
  var g = SeededGenerator(seed: seed)
  return (0..<count).map { _ in Float(g.normal()) * scale }
}

/// Compares analytic and central-difference gradients at `indices`: |a - n| <= atol + rtol * |n|.
/// Returns the indices that fail.
func gradientMismatches(
  values: inout [Float], analytic: [Float], indices: [Int], eps: Float, atol: Double, rtol: Double,
  loss: ([Float]) -> Double
) -> [(index: Int, analytic: Double, numeric: Double)] {
  var bad: [(Int, Double, Double)] = []
  for i in indices {
    let saved = values[i]
    values[i] = saved + eps
    let up = loss(values)
    values[i] = saved - eps
    let down = loss(values)
    values[i] = saved
    let numeric = (up - down) / (2 * Double(eps))
    let a = Double(analytic[i])
    if abs(a - numeric) > atol + rtol * abs(numeric) { bad.append((i, a, numeric)) }
  }
  return bad
}

/// Up to `count` indices spread over `0..<total`.
func sampleIndices(_ total: Int, count: Int) -> [Int] {
  if total <= count { return Array(0..<total) }
  return (0..<count).map { $0 * total / count }
}

/// Direct (unlowered) 3D convolution with TensorFlow padding: the reference for Conv3D.
func referenceConv(
  x: [Float], batch: Int, input: VolumeShape, kernel: [Float], bias: [Float], k: Int, stride: [Int],
  padding: Padding, filters: Int
) -> (y: [Float], output: VolumeShape) {
  let axes = [
    Axis(input: input.depth, kernel: k, stride: stride[0], padding: padding),
    Axis(input: input.height, kernel: k, stride: stride[1], padding: padding),
    Axis(input: input.width, kernel: k, stride: stride[2], padding: padding),
  ]
  let out = VolumeShape(axes[0].output, axes[1].output, axes[2].output, filters)
  let ci = input.channels
  var y = [Float](repeating: 0, count: batch * out.count)
  for n in 0..<batch {
    for od in 0..<out.depth {
      for oh in 0..<out.height {
        for ow in 0..<out.width {
          for o in 0..<filters {
            var s = Double(bias[o])
            for a in 0..<k {
              let id = od * stride[0] - axes[0].padBefore + a
              guard id >= 0, id < input.depth else { continue }
              for b in 0..<k {
                let ih = oh * stride[1] - axes[1].padBefore + b
                guard ih >= 0, ih < input.height else { continue }
                for c in 0..<k {
                  let iw = ow * stride[2] - axes[2].padBefore + c
                  guard iw >= 0, iw < input.width else { continue }
                  for i in 0..<ci {
                    let xv = x[n * input.count + ((id * input.height + ih) * input.width + iw) * ci + i]
                    let wv = kernel[(((a * k + b) * k + c) * ci + i) * filters + o]
                    s += Double(xv) * Double(wv)
                  }
                }
              }
            }
            y[n * out.count + ((od * out.height + oh) * out.width + ow) * filters + o] = Float(s)
          }
        }
      }
    }
  }
  return (y, out)
}

/// Largest |a - b| over the largest |b| (at least 1); infinite when the counts differ or a value
/// of `a` is not finite (a position left unwritten keeps its NaN).
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
  guard a.count == b.count, a.allSatisfy(\.isFinite) else { return .infinity }
  let scale = max(1, b.map(abs).max() ?? 0)
  return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
}
