/// Scratch memory shared by all layers of a model (used one layer at a time).
final class Workspace: @unchecked Sendable {
  /// Floats per worker per column chunk (1 MB, about L2): measured best of 0.5, 1, 4 and 16 MB.
  static let chunkFloats = 1 << 18
  let col = FloatBuffer(count: 0)
  let dcol = FloatBuffer(count: 0)
  let kernel = FloatBuffer(count: 0)
  let kernelT = FloatBuffer(count: 0)
  let kernelClasses = FloatBuffer(count: 0)
  let classGrad = FloatBuffer(count: 0)
  let kernelGrad = FloatBuffer(count: 0)
  let partials = FloatBuffer(count: 0)
}
