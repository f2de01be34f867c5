import GRDB
import Platform
import Resnet3D

// Training from an existing model's weights (`pleura train DATASET --init MODEL`): fine-tuning
// and retraining. The model is one of the run's inputs, so the run cache keys on its weights and
// the new model's lineage goes through it back to its own sources.
extension TrainPlugin {
  /// The model training starts from, when one is among the inputs.
  public static func initialModel(_ inputs: [EntityRef]) -> String? {
    inputs.first { $0.kind == .model }?.id
  }

  /// Refuses a starting model whose network is not the one this run builds (architecture, width,
  /// cube shape) and a freeze without a model or beyond the network's stages.
  static func checkStart(_ parameters: Parameters, inputs: [EntityRef], dataset: Dataset, in db: Database)
    throws
  {
    let preset = try ResNet3DConfig.Preset.named(parameters.architecture)
    let stages = preset.repetitions.count
    guard (0...stages).contains(parameters.freezeStages) else {
      throw TrainingError.badParameter(
        "freezeStages \(parameters.freezeStages) must be in 0...\(stages) (conv1 with stage 1, then stages 2-\(stages))"
      )
    }
    guard let modelID = initialModel(inputs) else {
      if parameters.freezeStages > 0 {
        throw TrainingError.badParameter(
          "freezeStages \(parameters.freezeStages) needs a model to start from (pleura train --init MODEL)")
      }
      return
    }
    let model = try Model.find(db, key: modelID)
    guard let setup = try? ModelSetup.decode(model) else {
      throw TrainingError.initMismatch(model: model.id, reason: "its recorded setup cannot be read")
    }
    guard setup.architecture == preset.rawValue else {
      throw TrainingError.initMismatch(
        model: model.id, reason: "it is a \(setup.architecture) and this run trains a \(preset.rawValue)")
    }
    guard setup.widthMultiplier == parameters.width else {
      throw TrainingError.initMismatch(
        model: model.id, reason: "its width is \(setup.widthMultiplier) and this run's is \(parameters.width)"
      )
    }
    let shape = try Row.fetchOne(
      db, sql: "SELECT frames, size FROM cube WHERE dataset_id = ? LIMIT 1", arguments: [dataset.id])
    if let shape, shape[0] as Int != setup.frames || shape[1] as Int != setup.size {
      let frames: Int = shape[0]
      let size: Int = shape[1]
      throw TrainingError.initMismatch(
        model: model.id,
        reason: "it takes \(setup.frames)x\(setup.size)x\(setup.size) cubes and "
          + "\(dataset.reference) has \(frames)x\(size)x\(size)")
    }
  }

  /// Loads the starting model's weights into `network` (a fresh start keeps its seeded
  /// initialisation) and holds the frozen stages. Adam starts anew: the run's own learning rate
  /// and moments, whatever the starting model was trained with.
  static func start(
    _ network: ResNet3D, _ parameters: Parameters, inputs: [EntityRef], context: PluginContext
  )
    async throws
  {
    if let modelID = initialModel(inputs) {
      let model = try await context.catalog.database.read { db in try Model.find(db, key: modelID) }
      try network.load(
        from: try context.blobs.read(model.weightsSha256, of: "the weights of model \(model.id)"))
      context.logger.info(
        "starting from the weights of \(model.id), \(parameters.freezeStages) stage(s) held")
    }
    try network.freeze(stages: parameters.freezeStages)
  }
}

extension TrainPlugin {
  /// `pleura train --init MODEL`: the inputs with the model added, and the parameters with the
  /// model's architecture and width where the command gave none (a given one that differs is
  /// refused by `check`, naming both).
  public static func fineTuning(
    _ parameters: Parameters, inputs: [EntityRef], from text: String, architecture: String?, width: Double?,
    in db: Database
  ) throws -> (Parameters, [EntityRef]) {
    let ref = try EntityLookup.resolve(text, as: [.model], in: db)
    var parameters = parameters
    if let setup = try? ModelSetup.decode(try Model.find(db, key: ref.id)) {
      parameters.architecture = architecture ?? setup.architecture
      parameters.width = width ?? setup.widthMultiplier
    }
    return (parameters, inputs + [ref])
  }
}
