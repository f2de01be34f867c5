// Adam's state (step and moments) out of and back into a model, so that training can stop after
// an epoch and continue bit-identically. Additive: nothing else in the engine changes.

extension Parameter {
  /// Adam's first moment (empty before the first step and for BN moving statistics).
  public var adamFirstMoment: [Float] { trainable ? m.array : [] }
  /// Adam's second moment (empty before the first step and for BN moving statistics).
  public var adamSecondMoment: [Float] { trainable ? v.array : [] }

  /// Overwrites both moments (counts must match `count`).
  public func setAdamMoments(first: [Float], second: [Float]) {
    precondition(trainable && first.count == count && second.count == count, "moment size mismatch")
    m.copy(from: first)
    v.copy(from: second)
  }
}

extension ResNet3D {
  /// Sets the optimizer's step count to `step`, for a checkpoint that restores values and
  /// moments with `Parameter.setValues` / `setAdamMoments`: Adam's bias correction depends on it.
  public func restoreOptimizer(step: Int) {
    precondition(step >= 0, "an Adam step count cannot be negative, got \(step)")
    self.step = step
  }
}
