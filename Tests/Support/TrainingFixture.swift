import Foundation
import GRDB
import Platform
import Tiling
import Training

/// A pipeline fixture tiled into a dataset and split by patient: what training needs.
public struct TrainingFixture: Sendable {
  public let pipeline: PipelineFixture
  public let dataset: Dataset
  public let split: String

  public var folder: URL { pipeline.folder }
  public var catalog: Catalog { pipeline.catalog }
  public var runner: Runner { pipeline.runner }

  public init(
    patients: Int, seed: Int = 7, seconds: ClosedRange<Double> = 2.1...2.2, recipe: String = "all_30x30",
    splitSeed: Int = 42, test: Double = 0.3, validation: Double = 0.2, siteName: String = "test"
  ) async throws {
    pipeline = try await PipelineFixture(patients: patients, seed: seed, seconds: seconds, siteName: siteName)
    dataset = try pipeline.dataset(try await pipeline.build(try DatasetRecipe.load(recipe)))
    var parameters = SplitPlugin.Parameters()
    parameters.seed = splitSeed
    parameters.test = test
    parameters.validation = validation
    split = try await pipeline.split(dataset, parameters)
  }

  public func cleanUp() { pipeline.cleanUp() }

  public var trainInputs: [EntityRef] { [EntityRef(.dataset, dataset.id), EntityRef(.split, split)] }

  public func train(_ parameters: TrainPlugin.Parameters, force: Bool = false) async throws -> Model {
    let outcome = try await runner.run(
      TrainPlugin.self, parameters: parameters, inputs: trainInputs, force: force)
    return try await catalog.database.read { db in
      guard let model = try Model.fetchOne(db, key: outcome.outputs[0].id) else {
        throw FixtureError("the train run made no model")
      }
      return model
    }
  }

  public func evaluate(_ model: Model, part: String = "test", bootstrap: Int = 200) async throws
    -> EvaluationReport
  {
    var parameters = EvaluatePlugin.Parameters()
    parameters.part = part
    parameters.bootstrap = bootstrap
    let outcome = try await runner.run(
      EvaluatePlugin.self, parameters: parameters,
      inputs: [EntityRef(.model, model.id), EntityRef(.dataset, dataset.id)])
    let evaluation = try await catalog.database.read { db in
      guard let evaluation = try Evaluation.fetchOne(db, key: outcome.outputs[0].id) else {
        throw FixtureError("the evaluate run made no evaluation")
      }
      return evaluation
    }
    return try EvaluationReport.decode(evaluation)
  }

  /// Evaluates `model` on each part and scores the parts' examples together (the shuffled-label
  /// controls pool validation and test: with so few videos, one part alone spreads widely).
  public func pooledMetrics(of model: Model, parts: [String]) async throws -> BinaryMetrics {
    var positives: [Bool] = []
    var scores: [Double] = []
    for part in parts {
      _ = try await evaluate(model, part: part)
      let evaluation = try await catalog.database.read { db in
        try Evaluation.filter(Column("model_id") == model.id && Column("part") == part).fetchOne(db)
      }
      guard let sha256 = evaluation?.scoresSha256 else {
        throw FixtureError("the \(part) evaluation of \(model.id) has no scores")
      }
      let parsed = ChartPictures.scores(
        csv: String(decoding: try catalog.blobs.read(sha256, of: "a test"), as: UTF8.self))
      positives += parsed.positives
      scores += parsed.scores
    }
    return BinaryMetrics(positives: positives, scores: scores)
  }

  public func count(_ table: String) async throws -> Int {
    try await catalog.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
  }
}
