import CGemm
import Primitives
import Testing

@testable import Resnet3D

struct GemmCase: Sendable, CustomStringConvertible {
  var m: Int
  var n: Int
  var k: Int
  var description: String { "\(m) x \(n) x \(k)" }
}

/// Row counts around the 8-row tile, column counts around the two 16-float halves of a 32-column
/// panel, depths around the 256-row block of B, and the engine's shapes (a Winograd point at
/// stage 1, a chunk of the one-channel conv1, a pointwise convolution).
private let gemmCases = [
  GemmCase(m: 1, n: 1, k: 1), GemmCase(m: 7, n: 15, k: 3), GemmCase(m: 8, n: 16, k: 255),
  GemmCase(m: 9, n: 17, k: 256), GemmCase(m: 17, n: 31, k: 257), GemmCase(m: 23, n: 33, k: 600),
  GemmCase(m: 5, n: 100, k: 40), GemmCase(m: 32, n: 64, k: 64), GemmCase(m: 70, n: 64, k: 343),
  GemmCase(m: 40, n: 256, k: 64), GemmCase(m: 3, n: 2, k: 0),
]

private let pleuraKernelRuns = pleura_sgemm_available() == 1

/// C = A B (+ C) in double, the reference.
private func reference(
  _ c: GemmCase, a: [Float], lda: Int, b: [Float], ldb: Int, old: [Float], ldc: Int, accumulate: Bool
) -> [Float] {
  var out = old
  for i in 0..<c.m {
    for j in 0..<c.n {
      var sum = accumulate ? Double(old[i * ldc + j]) : 0
      for p in 0..<c.k { sum += Double(a[i * lda + p]) * Double(b[p * ldb + j]) }
      out[i * ldc + j] = Float(sum)
    }
  }
  return out
}

@Test(.enabled(if: pleuraKernelRuns, "the CPU has no AVX-512F"), arguments: gemmCases, [false, true])
func pleuraGemmIsTheProductAndWritesOnlyItsBlock(_ c: GemmCase, accumulate: Bool) {
  // Strides wider than the blocks, so that a tile reading or writing past its edge shows.
  let (lda, ldb, ldc) = (c.k + 3, c.n + 5, c.n + 7)
  var random = SeededGenerator(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k))
  let value = { (r: inout SeededGenerator) in Float.random(in: -1...1, using: &r) }
  let a = (0..<max(c.m * lda, 1)).map { _ in value(&random) }
  let b = (0..<max(c.k * ldb, 1)).map { _ in value(&random) }
  let old = (0..<(c.m * ldc)).map { _ in value(&random) }
  let expected = reference(c, a: a, lda: lda, b: b, ldb: ldb, old: old, ldc: ldc, accumulate: accumulate)
  var got = old
  a.withUnsafeBufferPointer { pa in
    b.withUnsafeBufferPointer { pb in
      got.withUnsafeMutableBufferPointer { pc in
        pleura_sgemm(
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
        #expect(abs(got[index] - expected[index]) <= 1e-4 * Float(max(c.k, 1)).squareRoot(), "C[\(i)][\(j)]")
      } else {
        #expect(got[index] == old[index], "the padding C[\(i)][\(j)] was written")
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
