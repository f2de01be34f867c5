import Foundation
import GRDB
import Platform
import Resnet3D

/// `train`: fits a ResNet3D to the training part of a dataset's split and keeps the weights of the
/// epoch with the lowest loss on the split's validation part (never the test part), as the study.
///
/// Cubes stream from their shards a batch at a time; grey uint8 pixels become floats in [0, 1]
/// fed as one channel that stands for the study's three identical ones (`greyInput`).
public struct TrainPlugin: Plugin {
  public struct Parameters: PluginParameters {
    /// `resnet3d-18`, `resnet3d-34` or `resnet3d-50`; `resnet-18` (2D) for single-frame (M-mode) images.
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
    /// With a model among the inputs (`pleura train --init MODEL`): hold conv1 and the first N
    /// of the four stages at the model's values (0 trains every layer).
    public var freezeStages = 0
    public init() {}
  }

  public static let name = "train"
  /// 1.1.0: M-mode datasets keeping several brightest columns per window are top-k sampled
  /// (`WindowSampling`), and the shuffled-label control permutes videos in the order of their
  /// shards, not of their random ids (the same videos and seed now give the same control).
  public static let version = SemanticVersion(1, 1, 0)
  public static let summary =
    "Train a ResNet3D on a split's train part; keep the epoch with the lowest validation loss."
  /// A model among the inputs is the starting point: its weights instead of a fresh initialisation.
  public static let takes: [EntityKind] = [.dataset, .split, .model]
  public static let makes: [EntityKind] = [.model]
  public static let parameterHelp = [
    "architecture": "resnet3d-18, resnet3d-34, resnet3d-50, or resnet-18 (2D) for single-frame images",
    "width": "width multiplier of every layer (1 = the study's network)",
    "epochs": "training epochs", "batchSize": "cubes per batch", "learningRate": "Adam learning rate",
    "classWeighting": "balance the labels by repeating the rarer one's cubes each epoch",
    "seed": "seed of initialisation and shuffling", "threads": "engine threads (part of the result)",
    "shuffleLabels": "control: permute labels across training and validation videos",
    "resume": "run id of an interrupted train run to continue from its checkpoint",
    "freezeStages": "with a model input: hold conv1 and the first N stages at the model's weights",
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

  /// The dataset and split among the inputs (beside at most one starting model).
  static func datasetAndSplit(_ inputs: [EntityRef]) -> (dataset: String, split: String)? {
    let datasets = inputs.filter { $0.kind == .dataset }
    let splits = inputs.filter { $0.kind == .split }
    let models = inputs.filter { $0.kind == .model }
    guard inputs.count == 2 + models.count, models.count <= 1, datasets.count == 1, splits.count == 1 else {
      return nil
    }
    return (datasets[0].id, splits[0].id)
  }

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    try checkParameters(parameters)
    guard let (datasetID, splitID) = datasetAndSplit(inputs) else {
      throw TrainingError.needsDatasetAndSplit(plugin: name)
    }
    try await catalog.database.read { db in
      let dataset = try Dataset.find(db, key: datasetID)
      let split = try Split.find(db, key: splitID)
      guard split.datasetId == dataset.id else {
        let owner = try Dataset.fetchOne(db, key: split.datasetId)?.reference ?? split.datasetId
        throw TrainingError.splitOfAnotherDataset(
          split: split.id, belongsTo: owner, dataset: dataset.reference)
      }
      for part in [SplitAssignment.Part.train, .validation]
      where try CubeItem.fetch(dataset: datasetID, split: splitID, part: part, in: db).isEmpty {
        throw TrainingError.emptyPart(split: splitID, part: part.rawValue)
      }
      if let frames = try ArchitectureFit.frames(dataset: datasetID, in: db) {
        try ArchitectureFit.check(
          architecture: parameters.architecture, frames: frames, dataset: dataset.reference)
      }
      if !parameters.resume.isEmpty {
        try checkResume(parameters, inputs: inputs, in: db)
      }
      try checkStart(parameters, inputs: inputs, dataset: dataset, in: db)
    }
    if !parameters.resume.isEmpty,
      TrainingCheckpoint.latest(catalog: catalog, runID: parameters.resume) == nil
    {
      throw TrainingError.noCheckpoint(run: parameters.resume)
    }
  }

  /// The parameters alone: architecture, sizes and learning rate (freezeStages with the inputs).
  static func checkParameters(_ parameters: Parameters) throws {
    _ = try ResNet3DConfig.Preset.named(parameters.architecture)
    guard parameters.width > 0, parameters.width <= 4 else {
      throw TrainingError.outOfRange("width \(parameters.width) must be in (0, 4]")
    }
    try TrainingError.checkMinimums([
      "epochs": (parameters.epochs, 1), "batchSize": (parameters.batchSize, 1),
      "threads": (parameters.threads, 1),
    ])
    guard parameters.learningRate > 0 else {
      throw TrainingError.outOfRange("learningRate \(parameters.learningRate) must be more than 0")
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
    let earlier = try RunEdge.all().edges(.input, ofRun: id).fetchAll(db).map(\.entity)
    guard Set(earlier) == Set(inputs) else {
      throw TrainingError.resumeMismatch(run: id, reason: "its inputs differ")
    }
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    guard let (datasetID, splitID) = Self.datasetAndSplit(inputs) else {
      throw TrainingError.needsDatasetAndSplit(plugin: Self.name)
    }
    let parts = try await Self.loadParts(dataset: datasetID, split: splitID, parameters, context: context)
    var setup = try Self.setup(parameters, parts)
    let model = ResNet3D(
      config: try setup.config(), seed: UInt64(bitPattern: Int64(parameters.seed)),
      threads: parameters.threads)
    setup.network = model.config.architecture
    setup.parameterCount = model.parameterCount

    let scratch = try context.blobs.scratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let best = scratch.appendingPathComponent("best.safetensors")
    try await Self.start(model, parameters, inputs: inputs, context: context)
    setup.initialModel = Self.initialModel(inputs)
    setup.freezeStages = setup.initialModel == nil ? nil : parameters.freezeStages
    var state = try Self.startingState(parameters, model: model, best: best, context: context)
    try Self.trainEpochs(parameters, model: model, parts: parts, best: best, state: &state, context: context)
    return try Self.output(parameters, setup: setup, parts: parts, state: state, best: best, context: context)
  }
}
