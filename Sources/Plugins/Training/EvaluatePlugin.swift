import Foundation
import GRDB
import Platform
import Resnet3D

/// Metrics at one level (cubes or videos) with 95% bootstrap intervals over patients.
public struct LevelReport: Codable, Sendable, Equatable {
  public var metrics: BinaryMetrics
  public var intervals: [String: Interval]
}

/// What an evaluation stores as its `metrics_json`.
public struct EvaluationReport: Codable, Sendable, Equatable {
  public var part: String
  public var threshold: Double
  public var bootstrap: Int
  public var seed: Int
  public var patients: Int
  public var videos: Int
  public var cube: LevelReport
  /// Cube scores averaged per video (conversion).
  public var video: LevelReport

  public static func decode(_ evaluation: Evaluation) throws -> EvaluationReport {
    try JSONDecoder().decode(EvaluationReport.self, from: Data(evaluation.metricsJson.utf8))
  }
}

/// `evaluate`: scores a part of a dataset with a model and stores the metrics, their intervals
/// and every cube's score.
public struct EvaluatePlugin: Plugin {
  public struct Parameters: PluginParameters {
    /// `test` (default), `validation`, `train` of the model's split, or `all` cubes.
    public var part = "test"
    /// Bootstrap replicates over patients for the 95% intervals.
    public var bootstrap = 1000
    public var seed = 42
    public var threshold = 0.5
    public var batchSize = 32
    public var threads = 2
    public init() {}
  }

  public static let name = "evaluate"
  /// 1.1.0: M-mode datasets keeping several brightest columns per window are scored on each
  /// window's brightest image (`WindowSampling`); every other dataset as before.
  public static let version = SemanticVersion(1, 1, 0)
  public static let summary =
    "Score a dataset part with a model: accuracy, sensitivity, specificity, F1, AUC, CIs, per video."
  /// A split among the inputs is the one whose part is scored instead of the model's own
  /// (`pleura retrain` scores a model on its successor's test patients).
  public static let takes: [EntityKind] = [.model, .dataset, .split]
  public static let makes: [EntityKind] = [.evaluation]
  public static let parameterHelp = [
    "part": "test, validation, train (of the model's split) or all",
    "bootstrap": "bootstrap replicates over patients for 95% intervals", "seed": "seed of the bootstrap",
    "threshold": "score at or above which a cube counts as sliding present",
    "batchSize": "cubes per forward pass", "threads": "engine threads",
  ]

  /// Scores and a seeded bootstrap from stored weights and cubes.
  public static let reproducible = true

  public init() {}

  static func modelAndDataset(_ inputs: [EntityRef]) -> (model: String, dataset: String)? {
    let models = inputs.filter { $0.kind == .model }
    let datasets = inputs.filter { $0.kind == .dataset }
    let splits = inputs.filter { $0.kind == .split }
    guard inputs.count == 2 + splits.count, splits.count <= 1, models.count == 1, datasets.count == 1 else {
      return nil
    }
    return (models[0].id, datasets[0].id)
  }

  /// The part to score, refusing a name that is none.
  static func part(_ parameters: Parameters) throws -> Evaluation.Part {
    guard let part = Evaluation.Part(rawValue: parameters.part) else {
      throw TrainingError.badParameter(
        "part '\(parameters.part)' is not one of "
          + Evaluation.Part.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return part
  }

  public static func check(_ parameters: Parameters, inputs: [EntityRef], catalog: Catalog) async throws {
    let part = try part(parameters)
    try TrainingError.checkMinimums([
      "bootstrap": (parameters.bootstrap, 0), "batchSize": (parameters.batchSize, 1),
      "threads": (parameters.threads, 1),
    ])
    guard let (modelID, datasetID) = modelAndDataset(inputs) else {
      throw TrainingError.needsModelAndDataset(plugin: name)
    }
    try await catalog.database.read { db in
      let model = try Model.find(db, key: modelID)
      let dataset = try Dataset.find(db, key: datasetID)
      let setup = try ModelSetup.decode(model)
      let shape = try Row.fetchOne(
        db, sql: "SELECT frames, size FROM cube WHERE dataset_id = ? LIMIT 1", arguments: [datasetID])
      guard let shape, shape[0] as Int == setup.frames, shape[1] as Int == setup.size else {
        throw TrainingError.cubeShapeMismatch(dataset: dataset.reference, model: model.id)
      }
      let split = try scoredSplit(model: model, dataset: dataset, inputs: inputs, in: db)
      if part != .all, split == model.splitId, model.datasetId != datasetID {
        throw TrainingError.partNeedsTheModelsSplit(
          part: part.rawValue, dataset: dataset.reference, model: model.id)
      }
      if try items(split: split, dataset: datasetID, part: part, in: db).isEmpty {
        throw TrainingError.emptyPart(split: split, part: part.rawValue)
      }
    }
  }

  static func items(split: String, dataset: String, part: Evaluation.Part, in db: Database) throws
    -> [CubeItem]
  {
    let splitPart = SplitAssignment.Part(rawValue: part.rawValue)
    let items = try CubeItem.fetch(
      dataset: dataset, split: splitPart == nil ? nil : split, part: splitPart, in: db)
    // Several M-mode images per window: each window is scored once, by its brightest column.
    return try WindowSampling.of(dataset: dataset, in: db)?.scored(items) ?? items
  }

  public func run(_ parameters: Parameters, inputs: [EntityRef], context: PluginContext) async throws
    -> PluginOutput
  {
    guard let (modelID, datasetID) = Self.modelAndDataset(inputs) else {
      throw TrainingError.needsModelAndDataset(plugin: Self.name)
    }
    let part = try Self.part(parameters)
    let (model, dataset, items) = try await context.catalog.database.read { db in
      let model = try Model.find(db, key: modelID)
      let dataset = try Dataset.find(db, key: datasetID)
      let split = try Self.scoredSplit(model: model, dataset: dataset, inputs: inputs, in: db)
      return (model, dataset, try Self.items(split: split, dataset: datasetID, part: part, in: db))
    }
    let (network, setup) = try ModelLoader.load(model, blobs: context.blobs, threads: parameters.threads)
    let reader = CubeReader(blobs: context.blobs, frames: setup.frames, size: setup.size)
    var scores: [Double] = []
    scores.reserveCapacity(items.count)
    for start in stride(from: 0, to: items.count, by: parameters.batchSize) {
      try context.checkCancellation()
      let batch = items[start..<min(items.count, start + parameters.batchSize)]
      scores += try network.predict(batch: try reader.read(batch)).map(Double.init)
      context.progress("evaluate", scores.count, items.count, unit: "cubes")
    }
    let report = Self.report(items: items, scores: scores, parameters: parameters)
    var csv = "cube,patient,video,clip,label,score\n"
    for (item, score) in zip(items, scores) {
      csv +=
        "\(item.id),\(item.patientId),\(item.conversionId),\(item.clipIndex),\(item.label.rawValue),\(Float(score))\n"
    }
    let scoresBlob = try context.blobs.store(data: Data(csv.utf8))
    let metricsJSON = try CanonicalJSON.encode(report)
    let line = Self.headline(report, model: model, dataset: dataset.reference)
    return PluginOutput(summary: "") { db, run in
      try BlobRecord.register(scoresBlob, in: db)
      let evaluation = Evaluation(
        id: EntityKind.evaluation.newID(), siteId: run.siteID, modelId: modelID, datasetId: datasetID,
        part: part, metricsJson: metricsJSON, scoresSha256: scoresBlob.sha256, createdAt: run.now)
      try evaluation.insert(db)
      run.note("\(evaluation.id) \(line)")
      return [EntityRef(.evaluation, evaluation.id)]
    }
  }

  /// Metrics and intervals at cube and video level.
  static func report(items: [CubeItem], scores: [Double], parameters: Parameters) -> EvaluationReport {
    let positives = items.map { $0.label == .present }
    var byPatient: [String: [(positive: Bool, score: Double)]] = [:]
    for (item, score) in zip(items, scores) {
      byPatient[item.patientId, default: []].append((item.label == .present, score))
    }
    // Videos: the mean score of each conversion's cubes.
    var videoScores: [String: (patient: String, positive: Bool, sum: Double, n: Int)] = [:]
    for (item, score) in zip(items, scores) {
      var entry = videoScores[item.conversionId] ?? (item.patientId, item.label == .present, 0, 0)
      entry.sum += score
      entry.n += 1
      videoScores[item.conversionId] = entry
    }
    let videos = videoScores.sorted { $0.key < $1.key }.map(\.value)
    var videosByPatient: [String: [(positive: Bool, score: Double)]] = [:]
    for video in videos {
      videosByPatient[video.patient, default: []].append((video.positive, video.sum / Double(video.n)))
    }
    let patientOrder = byPatient.keys.sorted()
    return EvaluationReport(
      part: parameters.part, threshold: parameters.threshold, bootstrap: parameters.bootstrap,
      seed: parameters.seed, patients: patientOrder.count, videos: videos.count,
      cube: LevelReport(
        metrics: BinaryMetrics(positives: positives, scores: scores, threshold: parameters.threshold),
        intervals: PatientBootstrap.intervals(
          groups: patientOrder.compactMap { byPatient[$0] }, replicates: parameters.bootstrap,
          seed: parameters.seed
        )),
      video: LevelReport(
        metrics: BinaryMetrics(
          positives: videos.map(\.positive), scores: videos.map { $0.sum / Double($0.n) },
          threshold: parameters.threshold),
        intervals: PatientBootstrap.intervals(
          groups: patientOrder.compactMap { videosByPatient[$0] }, replicates: parameters.bootstrap,
          seed: parameters.seed)))
  }

  static func headline(_ report: EvaluationReport, model: Model, dataset: String) -> String {
    func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
    let m = report.cube.metrics
    return "\(model.id) on \(dataset) \(report.part) (\(m.count) cubes): accuracy \(f(m.accuracy)), "
      + "sensitivity \(f(m.sensitivity)), specificity \(f(m.specificity)), F1 \(f(m.f1)), AUC \(f(m.auc)); "
      + "videos accuracy \(f(report.video.metrics.accuracy))"
  }
}
