import Foundation
import GRDB
import Platform
import Primitives
import Resnet3D

/// `train`: fits a ResNet3D to the training part of a dataset's split and keeps the weights of the
/// epoch with the lowest loss on the split's validation part (never the test part), as the study.
///
/// Cubes stream from their shards a batch at a time; grey uint8 pixels become floats in [0, 1]
/// fed as one channel that stands for the study's three identical ones (`greyInput`).
public struct TrainPlugin: Plugin {
  public struct Parameters: PluginParameters {
    /// `resnet3d-18`, `resnet3d-34` or `resnet3d-50`.
    public var architecture = "resnet3d-18"
    /// Scales every layer's width; 1 is the study's network, the default a narrow one that trains
    /// in minutes on two cores.
    public var width = 0.125
    public var epochs = 16
    public var batchSize = 32
    public var learningRate = 0.001
    /// Balance the classes: each epoch repeats the rarer label's cubes until both labels count
    /// the same (the loss then weighs each class equally).
    public var classWeighting = false
    public var seed = 42
    /// Worker threads of the engine; the same seed and thread count give bit-identical weights.
    public var threads = 2
    /// Control experiment: permute the labels across the training and validation videos (seeded),
    /// so that whatever the model then learns cannot come from lung sliding.
    public var shuffleLabels = false
    /// A failed or killed train run to continue from its last checkpoint (not part of the run's
    /// identity: the result is the same as an uninterrupted run).
    public var resume = ""
    public init() {}
  }

  public static let name = "train"
  public static let version = SemanticVersion(1, 0, 0)
  public static let summary =
    "Train a ResNet3D on a split's train part; keep the epoch with the lowest validation loss."
  public static let takes: [EntityKind] = [.dataset, .split]
  public static let makes: [EntityKind] = [.model]
  public static let parameterHelp = [
    "architecture": "resnet3d-18, resnet3d-34 or resnet3d-50",
    "width": "width multiplier of every layer (1 = the study's network)",
    "epochs": "training epochs", "batchSize": "cubes per batch", "learningRate": "Adam learning rate",
    "classWeighting": "balance the labels by repeating the rarer one's cubes each epoch",
    "seed": "seed of initialisation and shuffling", "threads": "engine threads (part of the result)",
    "shuffleLabels": "control: permute labels across training and validation videos",
    "resume": "run id of an interrupted train run to continue from its checkpoint",
  ]

  /// Test hook: stop with an error right after this epoch's checkpoint, as if killed.
  @TaskLocal public static var stopAfterEpoch: Int?

  /// Seeded initialisation and epoch order; the engine's sums are ordered for a thread count.
  public static let reproducible = true

  public init() {}

  public static func recorded(_ parameters: Parameters) -> Parameters {
    var recorded = parameters
    recorded.resume = ""
    return recorded
  }

  static func datasetAndSplit(_ inputs: [EntityRef]) -> (dataset: String, split: String)? {
    let datasets = inputs.filter { $0.kind == .dataset }
    let splits = inputs.filter { $0.kind == .split }
    guard inputs.count == 2, datasets.count == 1, splits.count == 1 else { return nil }
    return (datasets[0].id, splits[0].id)
  }

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    _ = try ResNet3DConfig.Preset.named(parameters.architecture)
    guard parameters.width > 0, parameters.width <= 4 else {
      throw TrainingError.badParameter("width \(parameters.width) must be in (0, 4]")
    }
    try TrainingError.checkMinimums([
      "epochs": (parameters.epochs, 1), "batchSize": (parameters.batchSize, 1),
      "threads": (parameters.threads, 1),
    ])
    guard parameters.learningRate > 0 else {
      throw TrainingError.badParameter("learningRate \(parameters.learningRate) must be more than 0")
    }
    guard let (datasetID, splitID) = datasetAndSplit(inputs) else {
      throw TrainingError.needsDatasetAndSplit(plugin: name)
    }
    try await catalog.database.read { db in
      let dataset = try Dataset.fetchOne(db, key: datasetID)!
      let split = try Split.fetchOne(db, key: splitID)!
      guard split.datasetId == dataset.id else {
        let owner = try Dataset.fetchOne(db, key: split.datasetId)?.reference ?? split.datasetId
        throw TrainingError.splitOfAnotherDataset(
          split: split.id, belongsTo: owner, dataset: dataset.reference)
      }
      for part in [SplitAssignment.Part.train, .validation]
      where try CubeItem.fetch(dataset: datasetID, split: splitID, part: part, in: db).isEmpty {
        throw TrainingError.emptyPart(split: splitID, part: part.rawValue)
      }
      if !parameters.resume.isEmpty {
        try checkResume(parameters, inputs: inputs, in: db)
      }
    }
    if !parameters.resume.isEmpty,
      TrainingCheckpoint.latest(catalog: catalog, runID: parameters.resume) == nil
    {
      throw TrainingError.noCheckpoint(run: parameters.resume)
    }
  }

  private static func checkResume(_ parameters: Parameters, inputs: [EntityRef], in db: Database) throws {
    let id = parameters.resume
    guard let run = try Run.fetchOne(db, key: id) else { throw TrainingError.noCheckpoint(run: id) }
    guard run.plugin == name else {
      throw TrainingError.resumeMismatch(run: id, reason: "it is a \(run.plugin) run")
    }
    guard run.status != .succeeded else { throw TrainingError.resumeMismatch(run: id, reason: "it finished") }
    guard run.parametersJson == (try CanonicalJSON.encode(recorded(parameters))) else {
      throw TrainingError.resumeMismatch(run: id, reason: "its parameters differ")
    }
    let earlier = try RunEdge.filter(
      RunEdge.Columns.runId == id && RunEdge.Columns.direction == RunEdge.Direction.input.rawValue
    ).fetchAll(db).map(\.entity)
    guard Set(earlier) == Set(inputs) else {
      throw TrainingError.resumeMismatch(run: id, reason: "its inputs differ")
    }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    let (datasetID, splitID) = Self.datasetAndSplit(inputs)!
    var (dataset, train, validation, shape) = try await context.catalog.database.read { db in
      let dataset = try Dataset.fetchOne(db, key: datasetID)!
      let row = try Row.fetchOne(
        db, sql: "SELECT frames, size FROM cube WHERE dataset_id = ? LIMIT 1", arguments: [datasetID])!
      return (
        dataset, try CubeItem.fetch(dataset: datasetID, split: splitID, part: .train, in: db),
        try CubeItem.fetch(dataset: datasetID, split: splitID, part: .validation, in: db),
        (frames: row[0] as Int, size: row[1] as Int)
      )
    }
    if parameters.shuffleLabels {
      (train, validation) = Self.shuffledLabels(train, validation, seed: parameters.seed)
    }
    let adam = AdamSettings()
    var setup = ModelSetup(
      architecture: try ResNet3DConfig.Preset.named(parameters.architecture).rawValue,
      widthMultiplier: parameters.width, epochs: parameters.epochs, batchSize: parameters.batchSize,
      learningRate: parameters.learningRate, classWeighting: parameters.classWeighting, seed: parameters.seed,
      threads: parameters.threads, frames: shape.frames, size: shape.size, channels: 3, optimizer: "adam",
      loss: "binary-crossentropy", l2: 1e-4, adamBeta1: Double(adam.beta1), adamBeta2: Double(adam.beta2),
      adamEpsilon: Double(adam.epsilon), batchNormStatistics: "training-part mean after each epoch",
      network: "", parameterCount: 0, trainCubes: train.count,
      validationCubes: validation.count)
    let model = ResNet3D(
      config: try setup.config(), seed: UInt64(bitPattern: Int64(parameters.seed)),
      threads: parameters.threads)
    setup.network = model.config.architecture
    setup.parameterCount = model.parameterCount

    let scratch = try context.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let best = scratch.appendingPathComponent("best.safetensors")
    let parametersJSON = try CanonicalJSON.encode(Self.recorded(parameters))
    var state = TrainingCheckpoint.State(
      epochsDone: 0, step: 0, curves: [], bestEpoch: 0, bestLoss: 0, parametersJSON: parametersJSON)
    if !parameters.resume.isEmpty {
      guard let folder = TrainingCheckpoint.latest(catalog: context.catalog, runID: parameters.resume) else {
        throw TrainingError.noCheckpoint(run: parameters.resume)
      }
      state = try TrainingCheckpoint.load(folder, into: model, best: best)
      context.logger.info("resuming \(parameters.resume) after epoch \(state.epochsDone)")
    }

    let reader = CubeReader(blobs: context.blobs, frames: shape.frames, size: shape.size)
    let batchesPerEpoch =
      (Self.epochOrder(train, epoch: 0, parameters: parameters).count + parameters.batchSize - 1)
      / parameters.batchSize
    let started = Date()
    var batchesRun = 0
    let totalBatches = batchesPerEpoch * (parameters.epochs - state.epochsDone)
    for epoch in state.epochsDone..<parameters.epochs {
      let order = Self.epochOrder(train, epoch: epoch, parameters: parameters)
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

    let weights = try context.blobs.store(movingFileAt: best)
    for run in [context.runID, parameters.resume] where !run.isEmpty {
      try? FileManager.default.removeItem(at: TrainingCheckpoint.folder(catalog: context.catalog, runID: run))
    }
    let hyperparameters = try CanonicalJSON.encode(setup)
    let curves = try CanonicalJSON.encode(state.curves)
    let chosen = state.curves[state.bestEpoch - 1]
    let summary = String(
      format: "%@ on %@: chosen epoch %d of %d, validation loss %.4f, accuracy %.4f",
      setup.architecture, dataset.reference, chosen.epoch, parameters.epochs, chosen.validationLoss,
      chosen.validationAccuracy)
    let bestEpoch = state.bestEpoch
    let architecture = setup.architecture
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

  // MARK: - Steps

  /// The training cubes of an epoch in the order they are fed, from the seed and the epoch alone
  /// (so a resumed run sees the same batches). With class weighting the rarer label's cubes are
  /// repeated until both labels count the same.
  static func epochOrder(_ train: [CubeItem], epoch: Int, parameters: Parameters) -> [CubeItem] {
    var generator = SeededGenerator(
      seed: UInt64(bitPattern: Int64(parameters.seed)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch + 1))
    var order = train
    if parameters.classWeighting {
      let present = train.filter { $0.label == .present }
      let absent = train.filter { $0.label == .absent }
      var (rare, common) = present.count < absent.count ? (present, absent) : (absent, present)
      if !rare.isEmpty, rare.count < common.count {
        rare.shuffle(using: &generator)
        let extra = (0..<(common.count - rare.count)).map { rare[$0 % rare.count] }
        common += rare + extra
        order = common
      }
    }
    order.shuffle(using: &generator)
    return order
  }

  /// The same cubes with each video's label taken from another video: a seeded permutation of the
  /// per-video labels (so the label counts stay as they were), the one of 200 candidates whose
  /// labels agree with the true ones on closest to half of the cubes in the training and in the
  /// validation part, so that the shuffled labels carry no information about sliding.
  static func shuffledLabels(_ train: [CubeItem], _ validation: [CubeItem], seed: Int) -> (
    [CubeItem], [CubeItem]
  ) {
    var labels: [String: SlidingLabel] = [:]
    for item in train + validation { labels[item.conversionId] = item.label }
    let videos = labels.keys.sorted()
    let truth = videos.map { labels[$0]! }
    let inTrain = Set(train.map(\.conversionId))
    var cubes: [String: Int] = [:]
    for item in train + validation { cubes[item.conversionId, default: 0] += 1 }
    // How far the shuffled labels are from agreeing with the true ones half of the time, in
    // each part: a permutation that happens to keep most labels would still teach sliding.
    func imbalance(_ candidate: [SlidingLabel]) -> Double {
      [true, false].reduce(0.0) { sum, trainPart in
        let indices = videos.indices.filter { inTrain.contains(videos[$0]) == trainPart }
        guard !indices.isEmpty else { return sum }
        // Weighted by cubes: that is how much each video weighs in the loss.
        let total = indices.reduce(0) { $0 + cubes[videos[$1]]! }
        let agree = indices.filter { candidate[$0] == truth[$0] }.reduce(0) { $0 + cubes[videos[$1]]! }
        return sum + abs(Double(agree) / Double(total) - 0.5)
      }
    }
    var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)) ^ 0x5348_5546)
    var permuted = truth
    var best = Double.infinity
    for _ in 0..<200 {
      var candidate = truth
      candidate.shuffle(using: &generator)
      let score = imbalance(candidate)
      if score < best {
        best = score
        permuted = candidate
      }
    }
    let mapping = Dictionary(uniqueKeysWithValues: zip(videos, permuted))
    func relabel(_ items: [CubeItem]) -> [CubeItem] {
      items.map { item in
        var item = item
        item.label = mapping[item.conversionId]!
        return item
      }
    }
    return (relabel(train), relabel(validation))
  }

  /// Mean binary cross-entropy (plus the L2 term, as Keras reports it) and accuracy of a part.
  static func validate(_ model: ResNet3D, _ items: [CubeItem], reader: CubeReader, batchSize: Int) throws -> (
    Double, Double
  ) {
    var lossSum = 0.0
    var correct = 0
    for start in stride(from: 0, to: items.count, by: batchSize) {
      let batch = items[start..<min(items.count, start + batchSize)]
      let probabilities = try model.predict(batch: try reader.read(batch))
      for (p, item) in zip(probabilities, batch) {
        let clamped = min(max(Double(p), 1e-7), 1 - 1e-7)
        lossSum -= item.target == 1 ? log(clamped) : log(1 - clamped)
        if (p >= 0.5) == (item.target == 1) { correct += 1 }
      }
    }
    let l2 = model.parameters.filter(\.regularized).reduce(0.0) { sum, p in
      sum + p.values.reduce(0.0) { $0 + Double($1 * $1) }
    }
    return (
      lossSum / Double(items.count) + Double(model.config.l2) * l2, Double(correct) / Double(items.count)
    )
  }
}
