import Foundation
import GRDB
import Platform
import Sharing
import Tiling
import Training

/// Site A with a trained model: six patients (so the default split has a validation part to
/// choose the epoch on), a narrow one-epoch ResNet3D-18 and its evaluation on the test part.
/// Built once per test process (suites that ask at the same time wait for the same build);
/// tests only read it.
actor TrainedSiteA {
  typealias Site = (catalog: Catalog, model: Model, evaluation: Evaluation)
  static let shared = TrainedSiteA()
  private var building: Task<Site, any Error>?
  private var exporting: Task<URL, any Error>?

  func site() async throws -> Site {
    if building == nil { building = Task { try await Self.build() } }
    return try await building!.value
  }

  /// `demo@1` exported with `--with-models`, once; tests copy or read it, never change it.
  func bundleWithModels() async throws -> URL {
    if exporting == nil {
      exporting = Task {
        let (catalog, _, _) = try await site()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
          "pleura-with-models-\(UUID().uuidString).tar.zst")
        var options = BundleExporter.Options()
        options.withModels = true
        _ = try BundleExporter(catalog: catalog).export("demo@1", to: file, options: options)
        return file
      }
    }
    return try await exporting!.value
  }

  static func build() async throws -> Site {
    let catalog = try await SiteFixture.tiledAndSplit(patients: 6)
    let runner = Runner(catalog: catalog)
    let (dataset, split) = try await catalog.database.read { db in
      (try Dataset.fetchOne(db)!, try Split.fetchOne(db)!)
    }
    let trained = try await runner.run(
      TrainPlugin.self, parameters: tinyTraining,
      inputs: [EntityRef(.dataset, dataset.id), EntityRef(.split, split.id)])
    let model = try await catalog.database.read { db in try Model.fetchOne(db, key: trained.outputs[0].id)! }
    let evaluated = try await runner.run(
      EvaluatePlugin.self, parameters: quickEvaluation,
      inputs: [EntityRef(.model, model.id), EntityRef(.dataset, dataset.id)])
    let evaluation = try await catalog.database.read { db in
      try Evaluation.fetchOne(db, key: evaluated.outputs[0].id)!
    }
    return (catalog, model, evaluation)
  }

  /// Mechanics, not learning: a narrow network for one epoch (as TrainingTests' `tinyTraining`).
  static var tinyTraining: TrainPlugin.Parameters {
    var parameters = TrainPlugin.Parameters()
    parameters.width = 1.0 / 32
    parameters.epochs = 1
    parameters.batchSize = 16
    parameters.seed = 3
    return parameters
  }

  static var quickEvaluation: EvaluatePlugin.Parameters {
    var parameters = EvaluatePlugin.Parameters()
    parameters.bootstrap = 50
    return parameters
  }
}
