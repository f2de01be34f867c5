import Foundation
import TestSupport
import Testing

/// `pleura export --with-models` and `pleura import` between two catalogs, as two sites would.
@Suite(.tags(.slow)) struct BundleCLITests {
  @Test func aModelExportedWithItsDatasetIsListedAndEvaluatesAtTheOtherSite() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    try a.run(["init", "--site-name", "Hospital A"])
    try a.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2", "--seed", "5",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try a.run(["dataset", "build", "demo"]).status == 0)
    #expect(try a.run(["split", "demo@1"]).status == 0)
    let train = try a.run(["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"])
    #expect(train.status == 0, "\(train.stderr)")
    let model = try #require((try a.json(["models"]) as? [[String: Any]])?.first?["id"] as? String)
    #expect(try a.run(["evaluate", model, "--bootstrap", "50"]).status == 0)

    let bundle = a.folder.appendingPathComponent("demo-with-models.tar.zst").path
    let export = try a.run(["export", "demo@1", "-o", bundle, "--with-models"])
    #expect(export.status == 0 && export.stdout.contains("model 1") && export.stdout.contains("evaluation 1"))
    let show = try a.run(["bundle", "show", bundle])
    #expect(show.stdout.contains("models: 1") && show.stdout.contains("model \(model): resnet3d-18"))

    // Site B: a catalog of its own, in a folder of its own.
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    let imported = try b.run(["import", bundle])
    #expect(
      imported.status == 0 && imported.stdout.contains("(1 model, 1 evaluation)"), "\(imported.stderr)")
    let models = try #require(try b.json(["models"]) as? [[String: Any]])
    #expect(models.map { $0["id"] as? String } == [model])
    #expect(models.first?["site"] as? String == "Hospital A")
    #expect(models.first?["dataset"] as? String == "Hospital A/demo@1")
    let lineage = try b.run(["lineage", model])
    #expect(lineage.stdout.contains("train 1.1.0") && lineage.stdout.contains("[Hospital A]"))
    let evaluate = try b.run(["evaluate", model, "--bootstrap", "50", "--part", "all"])
    #expect(evaluate.status == 0 && evaluate.stdout.contains("accuracy"), "\(evaluate.stderr)")
    let evaluations = try #require(try b.json(["evaluations"]) as? [[String: Any]])
    #expect(Set(evaluations.compactMap { $0["site"] as? String }) == ["Hospital A", "Hospital B"])
    #expect(try b.run(["import", bundle]).stdout.contains("already imported"))
    #expect(try b.run(["verify"]).status == 0)
  }
}
