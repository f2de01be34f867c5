import Foundation
import Platform
import Testing

@testable import Training

/// The quality bar: a narrow ResNet3D-18 learns lung sliding on a synthetic collection
/// (both labels, 16 patients, one 2 s clip each) from `all_30x30`, and the same training on labels
/// shuffled across videos stays near chance (so the first result is not leakage).
///
/// Width 1/16, 6 epochs, batch 32: about 4 minutes on 2 cores in a debug build. Measured: test
/// accuracy 0.996 (448 cubes), AUC 1.0, video accuracy 1.0 (4 videos); control 0.51, AUC 0.51.
/// `PLEURA_QB_WIDTH` and `PLEURA_QB_EPOCHS` override the size for experiments.
@Suite(.serialized) struct QualityBarTests {
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

    var control = Self.parameters()
    control.shuffleLabels = true
    let shuffled = try await fixture.train(control)
    let controlReport = try await fixture.evaluate(shuffled)
    print(
      "control: test accuracy \(controlReport.cube.metrics.accuracy ?? -1) AUC \(controlReport.cube.metrics.auc ?? -1); "
        + "total \(Int(Date().timeIntervalSince(started))) s")
    #expect(controlReport.cube.metrics.accuracy! < 0.8)
    #expect(abs(controlReport.cube.metrics.auc! - 0.5) < 0.3)
  }
}
