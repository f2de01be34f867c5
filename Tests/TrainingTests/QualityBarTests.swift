import Foundation
import GRDB
import Platform
import TestSupport
import Testing

@testable import Training

/// The quality bar: a narrow ResNet3D-18 learns lung sliding on a synthetic collection
/// (both labels, 16 patients, one 2 s clip each) from `all_30x30`, and the same training on labels
/// shuffled across videos stays near chance (so the first result is not leakage).
///
/// Width 1/16, 6 epochs, batch 32: 2.5-4 minutes on 2 busy cores in a debug build. Measured over
/// three runs of this version (the split differs per run, as patient ids are random): test
/// accuracy 0.998-1.0 (about 440-490 cubes), AUC 1.0, video accuracy 1.0 (4 videos); the control
/// on validation + test patients (about 900 cubes, 8 videos) accuracy 0.47-0.59, AUC 0.40-0.56.
/// With so few videos chance spreads widely, hence the loose bounds on the control.
/// `PLEURA_QB_WIDTH` and `PLEURA_QB_EPOCHS` override the size.
@Suite(.serialized, .tags(.slow)) struct QualityBarTests {
  static func parameters() -> TrainPlugin.Parameters {
    var parameters = TrainPlugin.Parameters()
    parameters.width = Double(ProcessInfo.processInfo.environment["PLEURA_QB_WIDTH"] ?? "") ?? 1.0 / 16
    parameters.epochs = Int(ProcessInfo.processInfo.environment["PLEURA_QB_EPOCHS"] ?? "") ?? 6
    parameters.batchSize = 32
    parameters.seed = 1
    return parameters
  }

  @Test func narrowResNet18LearnsSlidingAndShuffledLabelsStayNearChance() async throws {
    let started = Date()
    let fixture = try await TrainingFixture(patients: 16, seed: 11)
    defer { fixture.cleanUp() }
    let prepared = Date()
    let model = try await fixture.train(Self.parameters())
    let trained = Date()
    let report = try await fixture.evaluate(model)
    print(
      "quality bar: fixture \(Int(prepared.timeIntervalSince(started))) s, train \(Int(trained.timeIntervalSince(prepared))) s; "
        + "test cubes \(report.cube.metrics.count) accuracy \(report.cube.metrics.accuracy ?? -1) "
        + "AUC \(report.cube.metrics.auc ?? -1); videos \(report.videos) accuracy \(report.video.metrics.accuracy ?? -1)"
    )
    print("curves: \(model.curvesJson)")
    #expect(report.cube.metrics.accuracy! >= 0.95)
    #expect(report.video.metrics.accuracy == 1)

    // The control: the same training on labels shuffled across videos (half of them keep their
    // label). Validation labels were shuffled too, so the kept epoch favours nothing true, and
    // the control is scored on the validation and test patients together (twice the videos of
    // the test part alone: with so few videos, chance alone spreads the result widely).
    var control = Self.parameters()
    control.shuffleLabels = true
    let shuffled = try await fixture.train(control)
    let controlMetrics = try await fixture.pooledMetrics(of: shuffled, parts: ["validation", "test"])
    print(
      "control (validation + test, \(controlMetrics.count) cubes): accuracy \(controlMetrics.accuracy ?? -1) "
        + "AUC \(controlMetrics.auc ?? -1); total \(Int(Date().timeIntervalSince(started))) s")
    #expect(controlMetrics.accuracy! < 0.8)
    #expect(abs(controlMetrics.auc! - 0.5) < 0.3)
  }
}
