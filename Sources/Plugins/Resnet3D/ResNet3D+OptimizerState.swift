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
  /// Brings the optimizer to `step` Adam steps, keeping every parameter's values and moments as
  /// they are now.
  ///
  /// `step` can only advance through `trainStep`, so this takes the missing steps on a zero clip
  /// and then puts values and moments back. It costs one single-clip step per missing step.
  /// TODO(engine): replace with a direct setter of `step` when the engine grows one.
  public func advanceOptimizer(toStep target: Int) throws {
    guard target > step else { return }
    let saved = parameters.map { ($0.values, $0.adamFirstMoment, $0.adamSecondMoment) }
    let clip = [Float](repeating: 0, count: config.clipSize)
    while step < target { try trainStep(inputs: clip, labels: [0]) }
    for (p, state) in zip(parameters, saved) {
      p.setValues(state.0)
      if p.trainable {
        let first = state.1.isEmpty ? [Float](repeating: 0, count: p.count) : state.1
        let second = state.2.isEmpty ? [Float](repeating: 0, count: p.count) : state.2
        p.setAdamMoments(first: first, second: second)
      }
    }
  }
}
