import Foundation
import GRDB
import Platform
import TestSupport
import Testing

@testable import Training

/// The bar for M-mode datasets: a synthetic collection's M-mode images (built-in
/// `mmode_64`: one 64-frame window per video, every 8th column, 64x64) are learnable at a narrow
/// width, and the same training on shuffled labels stays near chance. The network is the
/// engine's ResNet3D-18 reading each image as a cube of one frame (the same shards a 2D network
/// reads). Width 1/16, 6 epochs: about 100 s on 2 busy cores in a debug build, most of it making
/// the 16 videos. Measured over two runs: test accuracy 0.966 and 0.989 (176 images, 4 videos),
/// AUC 1.0, video accuracy 1.0; the control (358 images) accuracy 0.50 and 0.53, AUC 0.50 and
/// 0.57. `PLEURA_QB_WIDTH` and `PLEURA_QB_EPOCHS` override the size.
@Suite(.serialized, .tags(.slow)) struct MModeQualityBarTests {
  static func parameters() -> TrainPlugin.Parameters {
    var parameters = TrainPlugin.Parameters()
    parameters.width = Double(ProcessInfo.processInfo.environment["PLEURA_QB_WIDTH"] ?? "") ?? 1.0 / 16
    parameters.epochs = Int(ProcessInfo.processInfo.environment["PLEURA_QB_EPOCHS"] ?? "") ?? 6
    parameters.batchSize = 32
    parameters.seed = 1
    return parameters
  }

  @Test func narrowNetworkLearnsSlidingFromMModeImagesAndShuffledLabelsStayNearChance() async throws {
    let started = Date()
    let fixture = try await TrainingFixture(patients: 16, seed: 11, seconds: 2.2...2.3, recipe: "mmode_64")
    defer { fixture.cleanUp() }
    let shapes = try await fixture.catalog.database.read { db in
      try Row.fetchAll(
        db, sql: "SELECT DISTINCT frames, size FROM cube WHERE dataset_id = ?",
        arguments: [fixture.dataset.id]
      )
      .map { [$0[0] as Int, $0[1] as Int] }
    }
    #expect(shapes == [[1, 64]])
    let prepared = Date()
    let model = try await fixture.train(Self.parameters())
    let trained = Date()
    let report = try await fixture.evaluate(model)
    print(
      "mmode quality bar: fixture \(Int(prepared.timeIntervalSince(started))) s, train \(Int(trained.timeIntervalSince(prepared))) s; "
        + "test images \(report.cube.metrics.count) accuracy \(report.cube.metrics.accuracy ?? -1) "
        + "AUC \(report.cube.metrics.auc ?? -1); videos \(report.videos) accuracy \(report.video.metrics.accuracy ?? -1)"
    )
    #expect(report.cube.metrics.accuracy! >= 0.9)

    // The control, as in QualityBarTests: labels shuffled across videos, scored on the
    // validation and test patients together.
    var control = Self.parameters()
    control.shuffleLabels = true
    let shuffled = try await fixture.train(control)
    var pooled: (positives: [Bool], scores: [Double]) = ([], [])
    for part in ["validation", "test"] {
      _ = try await fixture.evaluate(shuffled, part: part)
      let scores = try await fixture.catalog.database.read { db in
        try Evaluation.filter(Column("model_id") == shuffled.id && Column("part") == part).fetchOne(db)!
      }
      let csv = String(
        decoding: try fixture.catalog.blobs.read(scores.scoresSha256!, of: "a test"), as: UTF8.self)
      let parsed = ChartPictures.scores(csv: csv)
      pooled.positives += parsed.positives
      pooled.scores += parsed.scores
    }
    let controlMetrics = BinaryMetrics(positives: pooled.positives, scores: pooled.scores)
    print(
      "mmode control (validation + test, \(controlMetrics.count) images): accuracy \(controlMetrics.accuracy ?? -1) "
        + "AUC \(controlMetrics.auc ?? -1); total \(Int(Date().timeIntervalSince(started))) s")
    #expect(controlMetrics.accuracy! < 0.8)
    #expect(abs(controlMetrics.auc! - 0.5) < 0.3)
  }
}
