import Foundation
import GRDB
import Platform
import Resnet3D

// The steps of a train run, in the order `TrainPlugin.run` takes them.
extension TrainPlugin {
  /// The dataset and the cubes of its split's training and validation parts, with their shape.
  /// With several M-mode images per window (`sampling`), `train` holds them all (each epoch draws
  /// one per window) and `validation` each window's rank-0 image.
  struct Parts {
    var dataset: Dataset
    var split: String
    var train: [CubeItem]
    var validation: [CubeItem]
    var frames: Int
    var size: Int
    var sampling: WindowSampling?
  }

  static func loadParts(
    dataset datasetID: String, split splitID: String, _ parameters: Parameters, context: PluginContext
  )
    async throws -> Parts
  {
    var parts = try await context.catalog.database.read { db in
      let dataset = try Dataset.find(db, key: datasetID)
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT frames, size FROM cube WHERE dataset_id = ? LIMIT 1", arguments: [datasetID])
      else { throw TrainingError.emptyPart(split: splitID, part: SplitAssignment.Part.train.rawValue) }
      let sampling = WindowSampling.of(recipeJSON: dataset.recipeJson)
      let validation = try CubeItem.fetch(dataset: datasetID, split: splitID, part: .validation, in: db)
      return Parts(
        dataset: dataset, split: splitID,
        train: try CubeItem.fetch(dataset: datasetID, split: splitID, part: .train, in: db),
        validation: sampling?.scored(validation) ?? validation, frames: row[0], size: row[1],
        sampling: sampling)
    }
    if parameters.shuffleLabels {
      (parts.train, parts.validation) = shuffledLabels(parts.train, parts.validation, seed: parameters.seed)
    }
    return parts
  }

  /// The model's record of how it is made: the parameters, the input shape and the study's fixed
  /// choices (the network's name and size are filled in once it is built).
  static func setup(_ parameters: Parameters, _ parts: Parts) throws -> ModelSetup {
    let adam = AdamSettings()
    return ModelSetup(
      architecture: try ResNet3DConfig.Preset.named(parameters.architecture).rawValue,
      widthMultiplier: parameters.width, epochs: parameters.epochs, batchSize: parameters.batchSize,
      learningRate: parameters.learningRate, classWeighting: parameters.classWeighting, seed: parameters.seed,
      threads: parameters.threads, frames: parts.frames, size: parts.size, channels: 3, optimizer: "adam",
      loss: "binary-crossentropy", l2: 1e-4, adamBeta1: Double(adam.beta1), adamBeta2: Double(adam.beta2),
      adamEpsilon: Double(adam.epsilon), batchNormStatistics: "training-part mean after each epoch",
      network: "", parameterCount: 0, trainCubes: parts.train.count,
      validationCubes: parts.validation.count, windowSampling: parts.sampling)
  }

  /// A fresh start, or the interrupted run's checkpoint loaded into `model` and `best`.
  static func startingState(_ parameters: Parameters, model: ResNet3D, best: URL, context: PluginContext)
    throws
    -> TrainingCheckpoint.State
  {
    let parametersJSON = try CanonicalJSON.encode(recorded(parameters))
    guard !parameters.resume.isEmpty else {
      return TrainingCheckpoint.State(
        epochsDone: 0, step: 0, curves: [], bestEpoch: 0, bestLoss: 0, parametersJSON: parametersJSON)
    }
    guard let folder = TrainingCheckpoint.latest(catalog: context.catalog, runID: parameters.resume) else {
      throw TrainingError.noCheckpoint(run: parameters.resume)
    }
    let state = try TrainingCheckpoint.load(folder, into: model, best: best)
    context.logger.info("resuming \(parameters.resume) after epoch \(state.epochsDone)")
    return state
  }

  /// The epochs still to do: each trains on the shuffled training part, sets the BN statistics,
  /// scores the validation part, keeps the best weights in `best` and saves a checkpoint.
  static func trainEpochs(
    _ parameters: Parameters, model: ResNet3D, parts: Parts, best: URL, state: inout TrainingCheckpoint.State,
    context: PluginContext
  ) throws {
    let (train, validation) = (parts.train, parts.validation)
    let reader = CubeReader(blobs: context.blobs, frames: parts.frames, size: parts.size)
    let batchesPerEpoch =
      (Self.epochOrder(train, epoch: 0, parameters: parameters, sampling: parts.sampling).count
        + parameters.batchSize - 1)
      / parameters.batchSize
    let started = Date()
    var batchesRun = 0
    let totalBatches = batchesPerEpoch * (parameters.epochs - state.epochsDone)
    for epoch in state.epochsDone..<parameters.epochs {
      let order = Self.epochOrder(train, epoch: epoch, parameters: parameters, sampling: parts.sampling)
      var lossSum = 0.0
      var batchIndex = 0
      for start in stride(from: 0, to: order.count, by: parameters.batchSize) {
        try context.checkCancellation()
        let items = order[start..<min(order.count, start + parameters.batchSize)]
        let inputs = try reader.read(items)
        let labels = items.map(\.target)
        let loss = try model.trainStep(inputs: inputs, labels: labels)
        lossSum += Double(loss) * Double(items.count)
        batchIndex += 1
        batchesRun += 1
        let elapsed = Date().timeIntervalSince(started)
        let eta = elapsed / Double(batchesRun) * Double(totalBatches - batchesRun)
        context.progress(
          "train epoch \(epoch + 1)/\(parameters.epochs)", batchIndex, batchesPerEpoch, unit: "batches",
          detail: String(format: "loss %.4f; all epochs done in about %@", loss, ProgressMeter.duration(eta)))
      }
      // Moving BN statistics from the epoch's (shuffled) batches; training accuracy on the way.
      let trainAccuracy = try BatchNormCalibration.run(
        model, order, reader: reader, batchSize: parameters.batchSize)
      let (validationLoss, validationAccuracy) = try Self.validate(
        model, validation, reader: reader, batchSize: parameters.batchSize)
      guard validationLoss.isFinite, lossSum.isFinite else {
        throw TrainingError.badParameter(
          "training diverged in epoch \(epoch + 1) (loss is not finite); try a lower learningRate")
      }
      state.curves.append(
        EpochCurve(
          epoch: epoch + 1, trainLoss: lossSum / Double(order.count),
          trainAccuracy: trainAccuracy, validationLoss: validationLoss,
          validationAccuracy: validationAccuracy))
      if state.bestEpoch == 0 || validationLoss < state.bestLoss {
        state.bestEpoch = epoch + 1
        state.bestLoss = validationLoss
        try model.save(to: best)
      }
      state.epochsDone = epoch + 1
      state.step = model.step
      try TrainingCheckpoint.save(
        state, model: model, best: best, catalog: context.catalog, runID: context.runID)
      if !parameters.resume.isEmpty {
        // This run's own checkpoint now carries everything the interrupted one held.
        try? FileManager.default.removeItem(
          at: TrainingCheckpoint.folder(catalog: context.catalog, runID: parameters.resume))
      }
      if let stop = Self.stopAfterEpoch, stop == epoch + 1 { throw TrainingError.stoppedAfterEpoch(stop) }
    }
  }

  /// Stores the best epoch's weights, drops the checkpoints, and returns the model row to write.
  static func output(
    _ parameters: Parameters, setup: ModelSetup, parts: Parts, state: TrainingCheckpoint.State, best: URL,
    context: PluginContext
  ) throws -> PluginOutput {
    let weights = try context.blobs.store(movingFileAt: best)
    for run in [context.runID, parameters.resume] where !run.isEmpty {
      try? FileManager.default.removeItem(at: TrainingCheckpoint.folder(catalog: context.catalog, runID: run))
    }
    let hyperparameters = try CanonicalJSON.encode(setup)
    let curves = try CanonicalJSON.encode(state.curves)
    let chosen = state.curves[state.bestEpoch - 1]
    let summary = String(
      format: "%@ on %@: chosen epoch %d of %d, validation loss %.4f, accuracy %.4f",
      setup.architecture, parts.dataset.reference, chosen.epoch, parameters.epochs, chosen.validationLoss,
      chosen.validationAccuracy)
    let bestEpoch = state.bestEpoch
    let architecture = setup.architecture
    let (datasetID, splitID) = (parts.dataset.id, parts.split)
    return PluginOutput(summary: "") { db, run in
      try BlobRecord.register(weights, in: db)
      let record = Model(
        id: EntityKind.model.newID(), siteId: run.siteID, datasetId: datasetID, splitId: splitID,
        architecture: architecture, weightsSha256: weights.sha256, hyperparametersJson: hyperparameters,
        curvesJson: curves, chosenEpoch: bestEpoch, seed: parameters.seed, createdAt: run.now)
      try record.insert(db)
      run.note("\(record.id) \(summary)")
      return [EntityRef(.model, record.id)]
    }
  }
}
