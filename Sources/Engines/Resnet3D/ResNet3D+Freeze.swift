// Fine-tuning with the first stages held: their weights keep the values they were loaded with.
// Additive: a network nobody freezes trains exactly as before.

extension ResNet3D {
  /// The network's stages as `freeze(stages:)` counts them: conv1 with its BN, then stages 1-4.
  public var freezableStages: Int { config.repetitions.count }

  /// Holds conv1 (kernel, bias, BN scale and offset) and every trainable tensor of stages
  /// 1...`stages` at their current values; 0 holds nothing. conv1 goes with stage 1: it is the
  /// first of the network's features, and the least specific to a collection. BN moving
  /// statistics are not trained by Adam and stay as training sets them (after each epoch, their
  /// mean over the epoch's batches), so a frozen stage still normalises the new data's contrast.
  public func freeze(stages: Int) throws(ResNet3DError) {
    guard (0...freezableStages).contains(stages) else {
      throw .badInput("cannot freeze \(stages) stages: the network has \(freezableStages)")
    }
    let prefixes = stages == 0 ? [] : ["stem."] + (1...stages).map { "stage\($0)." }
    for p in parameters where p.trainable {
      p.frozen = prefixes.contains { p.name.hasPrefix($0) }
    }
  }

  /// Names of the tensors Adam is holding (for records and tests).
  public var frozenParameterNames: [String] { parameters.filter(\.frozen).map(\.name) }
}
