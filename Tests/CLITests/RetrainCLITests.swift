import Foundation
import TestSupport
import Testing

/// `train --init`, `retrain` and `models --lineage` with the real binary on a tiny catalog: a
/// mismatched starting model is refused in one line with the catalog unchanged, a fine-tuned
/// model's lineage names its parent, and a retrained one is compared with it side by side.
@Suite(.tags(.slow)) struct RetrainCLITests {
  static let tiny = ["--width", "0.03125", "--epochs", "1", "--batch", "16"]

  func models(_ cli: PleuraCLI) throws -> [String] {
    ((try cli.json(["models"]) as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
  }

  @Test func fineTuneRetrainAndTheChainOfSuccessors() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    func ok(_ arguments: [String]) throws -> PleuraCLI.Result {
      let result = try cli.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
      return result
    }
    _ = try ok(["init"])
    _ = try ok([
      "synthesize", "--patients", "6", "--seed", "5", "--min-seconds", "2.1", "--max-seconds", "2.2",
    ])
    _ = try ok(["transcode", "--all", "--preset", "ultrafast"])
    _ = try ok(["dataset", "build", "demo"])
    _ = try ok(["split", "demo@1"])
    _ = try ok(["train", "demo@1"] + Self.tiny)
    let parent = try #require(try models(cli).first)

    // A starting model that does not fit is refused in one line, and nothing is written.
    let before = try CatalogSnapshot.take(cli.catalog)
    for (option, value, reason) in [
      ("--arch", "resnet3d-34", "it is a resnet3d-18 and this run trains a resnet3d-34"),
      ("--width", "0.0625", "its width is 0.03125 and this run's is 0.0625"),
    ] {
      let refused = try cli.run(
        ["train", "demo@1", "--init", parent, option, value, "--epochs", "1", "--batch", "16"])
      #expect(refused.status == 1, "\(refused.stderr)")
      let lines = refused.stderr.split(separator: "\n")
      #expect(lines.count == 1 && refused.stderr.contains("cannot start from model \(parent): \(reason)"))
    }
    #expect(try cli.run(["train", "demo@1", "--init", "model_ffffffffffffffff"]).status != 0)
    // A retrain that its train run would refuse writes nothing, not even its split.
    let zeroEpochs = try cli.run(["retrain", parent, "--epochs", "0"])
    #expect(
      zeroEpochs.status == 2 && zeroEpochs.stderr.contains("epochs 0 must be at least 1"),
      "\(zeroEpochs.stderr)")
    #expect(try cli.run(["retrain", parent, "--dataset", "nosuch@1"]).status == 1)
    #expect(try CatalogSnapshot.take(cli.catalog) == before)

    // Fine-tuning: architecture and width come from the model; its lineage names it.
    _ = try ok(
      [
        "train", "demo@1", "--init", parent, "--freeze-stages", "1", "--lr", "0.0005", "--epochs", "1",
        "--batch", "16",
      ])
    let fineTuned = try #require(try models(cli).first { $0 != parent })
    let lineage = try ok(["lineage", fineTuned]).stdout
    #expect(lineage.contains("model \(parent)") || lineage.contains(parent), "\(lineage)")
    #expect(lineage.contains("demo@1"))

    // New patients, a new version of the dataset, and the parent retrained on it.
    _ = try ok([
      "synthesize", "--patients", "4", "--seed", "9", "--min-seconds", "2.1", "--max-seconds", "2.2",
    ])
    _ = try ok(["transcode", "--all", "--preset", "ultrafast"])
    _ = try ok(["dataset", "build", "demo"])
    let retrain = try ok(["retrain", parent, "--dataset", "demo@latest", "--bootstrap", "50"]).stdout
    #expect(
      retrain.contains("on demo@2") && retrain.contains("NEW - OLD") && retrain.contains("McNemar (videos)"))
    let successor = try #require(try models(cli).first { $0 != parent && $0 != fineTuned })
    #expect(retrain.contains("\(successor) retrained from \(parent)"), "\(retrain)")

    let chain = try ok(["models", "--lineage"]).stdout.split(separator: "\n").map(String.init)
    #expect(chain.first?.hasPrefix(parent) == true, "\(chain)")
    #expect(chain.contains { $0.hasPrefix("├─ \(fineTuned)") && $0.contains("1 stage(s) held") }, "\(chain)")
    #expect(chain.contains { $0.hasPrefix("└─ \(successor)") && $0.contains("demo@2") }, "\(chain)")
    let forest = try #require(try cli.json(["models", "--lineage"]) as? [[String: Any]])
    #expect((forest.first?["successors"] as? [[String: Any]])?.count == 2)
    #expect(JSONKeysCLITests.offendingKeys(forest).isEmpty)

    // The same retrain again reuses every run: the same successor, compared the same way.
    let again = try #require(
      try cli.json(["retrain", parent, "--dataset", "demo@latest", "--bootstrap", "50"]) as? [String: Any])
    #expect(again["successor"] as? String == successor)
    #expect((again["runs"] as? [[String: Any]])?.allSatisfy { $0["reused"] as? Bool == true } == true)
    #expect(JSONKeysCLITests.offendingKeys(again).isEmpty, "\(JSONKeysCLITests.offendingKeys(again))")
  }
}
