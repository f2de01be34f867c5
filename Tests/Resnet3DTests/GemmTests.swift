import CGemm
import Primitives
import Testing

@testable import Resnet3D

/// Row counts around the 8-row tile, column counts around the two 16-float halves of a 32-column
/// panel, depths around the 256-row block of B, and the engine's shapes (a Winograd point at
/// stage 1, a chunk of the one-channel conv1, a pointwise convolution).
private let gemmCases: [GemmShape] = [
  .init(1, 1, 1), .init(7, 15, 3), .init(8, 16, 255), .init(9, 17, 256), .init(17, 31, 257),
  .init(23, 33, 600), .init(5, 100, 40), .init(32, 64, 64), .init(70, 64, 343), .init(40, 256, 64),
  .init(3, 2, 0),
]

/// C (m x n) = A (m x k) B (k x n).
struct GemmShape: Sendable, CustomStringConvertible {
  let m, n, k: Int
  init(_ m: Int, _ n: Int, _ k: Int) { (self.m, self.n, self.k) = (m, n, k) }
  var description: String { "\(m) x \(n) x \(k)" }
}

private let pleuraKernelRuns = pleura_sgemm_available() == 1

/// C = op(A) B (+ C) in double, the reference; `element(i, p)` is op(A)'s.
private func reference(
  _ c: GemmShape, element: (Int, Int) -> Float, b: [Float], ldb: Int, old: [Float], ldc: Int, accumulate: Bool
) -> [Float] {
  var out = old
  for i in 0..<c.m {
    for j in 0..<c.n {
      var sum = accumulate ? Double(old[i * ldc + j]) : 0
      for p in 0..<c.k { sum += Double(element(i, p)) * Double(b[p * ldb + j]) }
      out[i * ldc + j] = Float(sum)
    }
  }
  return out
}

@Test(.enabled(if: pleuraKernelRuns, "the CPU has no AVX-512F"), arguments: gemmCases, [false, true])
func pleuraGemmIsTheProductAndWritesOnlyItsBlock(_ c: GemmShape, transposeA: Bool) {
  // Strides wider than the blocks, so that a tile reading or writing past its edge shows. A is
  // m x k, or k x m when it is read transposed.
  let (lda, ldb, ldc) = (transposeA ? c.m + 3 : c.k + 3, c.n + 5, c.n + 7)
  var random = SeededGenerator(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k))
  let value = { (r: inout SeededGenerator) in Float.random(in: -1...1, using: &r) }
  let a = (0..<max((transposeA ? c.k : c.m) * lda, 1)).map { _ in value(&random) }
  let b = (0..<max(c.k * ldb, 1)).map { _ in value(&random) }
  let old = (0..<(c.m * ldc)).map { _ in value(&random) }
  let element = { (i: Int, p: Int) in transposeA ? a[p * lda + i] : a[i * lda + p] }
  for accumulate in [false, true] {
    let expected = reference(c, element: element, b: b, ldb: ldb, old: old, ldc: ldc, accumulate: accumulate)
    var got = old
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        got.withUnsafeMutableBufferPointer { pc in
          let multiply = transposeA ? pleura_sgemm_tn : pleura_sgemm
          multiply(
            Int32(c.m), Int32(c.n), Int32(c.k), pa.baseAddress, Int32(lda), pb.baseAddress, Int32(ldb),
            accumulate ? 1 : 0, pc.baseAddress, Int32(ldc))
        }
      }
    }
    for i in 0..<c.m {
      for j in 0..<ldc {
        let index = i * ldc + j
        if j < c.n {
          // float32 sums of up to 600 products of values in [-1, 1].
          let tolerance = 1e-4 * Float(max(c.k, 1)).squareRoot()
          #expect(abs(got[index] - expected[index]) <= tolerance, "C[\(i)][\(j)], accumulate \(accumulate)")
        } else {
          #expect(got[index] == old[index], "the padding C[\(i)][\(j)] was written")
        }
      }
    }
  }
}

@Test(.enabled(if: pleuraKernelRuns, "the CPU has no AVX-512F"))
func theEngineUsesPleurasKernelWhereTheCPUHasIt() {
  // PLEURA_GEMM=openblas is for benchmarks; the test run leaves it unset.
  #expect(Gemm.kernel == .pleura)
  #expect(Resnet3DEngine.gemmKernel == "pleura")
}
