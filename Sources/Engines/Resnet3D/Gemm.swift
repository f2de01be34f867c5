// The engine's GEMMs C = A B and C = A^T B (each optionally + C): Pleura's own AVX-512 kernel
// (Sources/CGemm, gemm.c says why) on CPUs that have AVX-512F, else OpenBLAS. The forward passes
// of every convolution (direct, tap-class, Winograd), the input gradient of a stride-1 one and
// every kernel gradient run here; only the input gradients of pointwise and strided
// convolutions (dy W^T, B transposed) stay with OpenBLAS.

import CGemm
import COpenBLAS
import Foundation
import Primitives

enum Gemm {
  /// Who multiplies: chosen once per process.
  enum Kernel: String, Sendable {
    /// Pleura's AVX-512 kernel.
    case pleura
    /// OpenBLAS's cblas_sgemm, with the kernels OPENBLAS_CORETYPE (or OpenBLAS itself) chose.
    case openblas
  }

  /// The CPU's choice, unless PLEURA_GEMM=openblas asks for OpenBLAS (benchmarks time both).
  /// `pleura` refuses any other value before a command runs (`Resnet3DEngine.gemmSettingProblem`);
  /// other callers stop here with the same message.
  static let kernel: Kernel = {
    if let problem = Resnet3DEngine.gemmSettingProblem { fatalError(problem) }
    if setting == Kernel.openblas.rawValue { return .openblas }
    return pleura_sgemm_available() == 1 ? .pleura : .openblas
  }()

  /// PLEURA_GEMM's value: nil when unset or empty.
  static var setting: String? {
    ProcessInfo.processInfo.environment["PLEURA_GEMM"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// C (m x n, row stride ldc) = A B, plus the old C with `accumulate`; A is m x k (lda), B is
  /// k x n (ldb).
  @inline(__always)
  static func multiply(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool, into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    product(false, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, accumulate: accumulate, into: c, ldc: ldc)
  }

  /// C (m x n, row stride ldc) = A^T B, plus the old C with `accumulate`; A is k x m (lda), B is
  /// k x n (ldb): a kernel gradient, col^T dy.
  @inline(__always)
  static func multiplyTransposed(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool, into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    product(true, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, accumulate: accumulate, into: c, ldc: ldc)
  }

  @inline(__always)
  private static func product(
    _ transposeA: Bool, m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int,
    _ b: UnsafePointer<Float>,
    ldb: Int, accumulate: Bool, into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    switch kernel {
    case .pleura:
      let run = transposeA ? pleura_sgemm_tn : pleura_sgemm
      run(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    case .openblas:
      cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
        a,
        Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    }
  }
}

extension Resnet3DEngine {
  /// The kernel of the engine's GEMMs in this process (all but dy W^T, Gemm's opening comment):
  /// "pleura" (AVX-512) or "openblas".
  public static var gemmKernel: String { Gemm.kernel.rawValue }

  /// What is wrong with the PLEURA_GEMM environment variable, if anything: a message naming it.
  public static var gemmSettingProblem: String? {
    guard let setting = Gemm.setting, Gemm.Kernel(rawValue: setting) == nil else { return nil }
    return "PLEURA_GEMM is '\(setting.escapedForMessage)': use 'openblas' to run the engine's GEMMs on "
      + "OpenBLAS, 'pleura' or nothing to let the CPU choose (Pleura's AVX-512 kernel where it has AVX-512F)"
  }
}
