import Foundation
import GRDB
import Platform
import Resnet3D
import TestSupport
import Testing

@testable import Training

/// `evaluate` scores through the engine's batch-norm-folded inference network (ResNet3D.infer);
/// these check that its results are those of the layer-by-layer forward it replaced.
@Suite(.serialized, .tags(.slow)) struct FoldedEvaluationTests {
  @Test func evaluationIsUnchangedByTheFoldedInferencePath() async throws {
    let fixture = try await TrainingFixture(patients: 6, recipe: "demo")
    defer { fixture.cleanUp() }
    let model = try await fixture.train(tinyTraining(epochs: 2))
    let stored = try await fixture.evaluate(model)
    let (evaluation, items) = try await fixture.catalog.database.read { db in
      (
        try Evaluation.fetchOne(db),
        try EvaluatePlugin.items(split: model.splitId, dataset: fixture.dataset.id, part: .test, in: db)
      )
    }
    guard let evaluation, let scoresSha = evaluation.scoresSha256 else {
      Issue.record("the evaluation stored no scores")
      return
    }
    // The stored per-cube scores (CSV: cube, patient, video, clip, label, score).
    let csv = String(decoding: try fixture.catalog.blobs.read(scoresSha, of: "a test"), as: UTF8.self)
    var storedScores: [String: Double] = [:]
    for line in csv.split(separator: "\n").dropFirst() {
      let fields = line.split(separator: ",")
      storedScores[String(fields[0])] = Double(fields[5])
    }
    // The same cubes through the layer-by-layer forward with BN in inference mode.
    let (network, setup) = try ModelLoader.load(model, blobs: fixture.catalog.blobs, threads: 2)
    let reader = CubeReader(blobs: fixture.catalog.blobs, frames: setup.frames, size: setup.size)
    var layered: [Double] = []
    for start in stride(from: 0, to: items.count, by: 32) {
      let logits = try network.forward(batch: try reader.read(items[start..<min(items.count, start + 32)]))
      layered += logits.map { 1 / (1 + exp(-Double($0))) }
    }
    #expect(items.count == storedScores.count && items.count > 10)
    let worst = zip(items, layered).map { abs((storedScores[$0.id] ?? .nan) - $1) }.max() ?? .nan
    #expect(worst <= 1e-5, "largest score difference \(worst)")
    // The metrics from the layer-by-layer scores are the stored ones (same bootstrap seed).
    var parameters = EvaluatePlugin.Parameters()
    parameters.bootstrap = stored.bootstrap
    let recomputed = EvaluatePlugin.report(items: items, scores: layered, parameters: parameters)
    for (a, b) in [
      (stored.cube.metrics, recomputed.cube.metrics), (stored.video.metrics, recomputed.video.metrics),
    ] {
      #expect(a.confusion == b.confusion)
      #expect(a.accuracy == b.accuracy)
      #expect(a.sensitivity == b.sensitivity)
      #expect(a.specificity == b.specificity)
      #expect(abs((a.auc ?? .nan) - (b.auc ?? .nan)) <= 1e-3)
    }
  }
}
