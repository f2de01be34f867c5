import COpenBLAS

/// The 3D ResNet engine (keras-resnet3d topology) on OpenBLAS. See DESIGN.md.
public enum Resnet3DEngine {
  /// Number of threads OpenBLAS uses for GEMM.
  public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}
