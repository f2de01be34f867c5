// The engine's untransposed GEMMs (C = A B, or C += A B): Pleura's own AVX-512 kernel
// (Sources/CGemm, gemm.c says why) on CPUs that have AVX-512F, else OpenBLAS. The forward passes
// of every convolution (direct, tap-class, Winograd) and the input gradient of a strided one run
// here; the transposed products of the other gradients stay with OpenBLAS.

import CGemm
import COpenBLAS
import Foundation

enum Gemm {
  /// Who multiplies: chosen once per process.
  enum Kernel: String, Sendable {
    /// Pleura's AVX-512 kernel.
    case pleura
    /// OpenBLAS's cblas_sgemm, with the kernels OPENBLAS_CORETYPE (or OpenBLAS itself) chose.
    case openblas
  }

  /// The CPU's choice, unless PLEURA_GEMM=openblas asks for OpenBLAS (benchmarks time both).
  static let kernel: Kernel = {
    let asked = ProcessInfo.processInfo.environment["PLEURA_GEMM"] ?? ""
    let detected: Kernel = pleura_sgemm_available() == 1 ? .pleura : .openblas
    switch asked {
    case "": return detected
    case "openblas": return .openblas
    case "pleura": return detected
    default:
      fatalError("PLEURA_GEMM is '\(asked)': use 'openblas' to force OpenBLAS, or leave it unset")
    }
  }()

  /// C (m x n, row stride ldc) = A (m x k, lda) B (k x n, ldb), plus the old C with `accumulate`.
  @inline(__always)
  static func multiply(
    m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    accumulate: Bool, into c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    switch kernel {
    case .pleura:
      pleura_sgemm(
        Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    case .openblas:
      cblas_sgemm(
        CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b,
        Int32(ldb), accumulate ? 1 : 0, c, Int32(ldc))
    }
  }
}

extension Resnet3DEngine {
  /// The kernel of the engine's untransposed GEMMs in this process: "pleura" (AVX-512) or "openblas".
  public static var gemmKernel: String { Gemm.kernel.rawValue }
}
