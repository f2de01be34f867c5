import Foundation
import TestSupport
import Testing
import Training

/// The shipped external plugin `plugins/torch-resnet3d` run by the real binary: added to a
/// catalog, it trains Pleura's ResNet3D (and the 2D ResNet-18) in PyTorch on the CPU, and
/// `pleura evaluate` and `pleura explain` run on the models it makes; the lineage names the
/// external run with the plugin's manifest digest. Runs only where the plugin's PyTorch venv exists
/// (plugins/torch-resnet3d/setup-venv.sh, about 4 GB).
@Suite(
  .enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"),
  .enabled(if: TorchVenv.available, TorchVenv.skipReason),
  .tags(.slow))
struct TorchPluginCLITests {
  /// The venv the tests found, handed to the plugin's launcher.
  static let environment = ["PLEURA_TORCH_VENV": TorchVenv.folder.path]

  /// `pleura run torch-resnet3d` on a dataset and its split; the outcome's JSON.
  static func train(
    _ cli: PleuraCLI, _ dataset: String, split: String, _ parameters: [String], force: Bool = false
  ) throws -> [String: Any] {
    let arguments =
      ["run", "torch-resnet3d", "--input", dataset, "--input", split]
      + parameters.flatMap { ["--param", $0] } + (force ? ["--force"] : []) + ["--json"]
    let result = try cli.run(arguments, environment: environment)
    #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  static func modelID(_ outcome: [String: Any]) throws -> String {
    let outputs = try #require(outcome["outputs"] as? [[String: Any]])
    return try #require(outputs.first { $0["kind"] as? String == "model" }?["id"] as? String)
  }

  @Test func aModelTrainedByPyTorchIsEvaluatedAndExplainedByPleura() async throws {
    let (cli, _) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    func step(_ arguments: [String]) throws {
      let result = try cli.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    }
    let added = try cli.run(["plugins", "add", TorchVenv.plugin.path])
    #expect(added.status == 0, "\(added.stderr)")
    let plugins = try #require(try cli.json(["plugins"]) as? [[String: Any]])
    let manifestSHA = try #require(
      plugins.first { $0["name"] as? String == "torch-resnet3d" }?["manifestSha256"] as? String)
    let split = try #require(try SQLiteRows.fetch(cli.catalog, "SELECT id FROM split").first?[0])

    let parameters = ["width=0.0625", "epochs=2", "batchSize=16", "device=cpu", "threads=1"]
    let outcome = try Self.train(cli, "demo@1", split: split, parameters)
    let model = try Self.modelID(outcome)
    let runID = try #require(outcome["runID"] as? String)
    let row = try #require(
      try SQLiteRows.fetch(
        cli.catalog,
        "SELECT architecture, hyperparameters_json, weights_sha256, curves_json, chosen_epoch FROM model "
          + "WHERE id = '\(model)'"
      ).first)
    #expect(row[0] == "resnet3d-18")
    // The model's record reads as the built-in trainer's: its setup and its curves.
    let setup = try JSONDecoder().decode(ModelSetup.self, from: Data(row[1].utf8))
    #expect(
      setup.network
        == "resnet3d block=basic repetitions=2,2,2,2 stem=4 filters=4,8,16,32 channels=3 outputs=1")
    #expect(setup.widthMultiplier == 0.0625 && setup.frames == 60 && setup.size == 30 && setup.epochs == 2)
    let curves = try JSONDecoder().decode([EpochCurve].self, from: Data(row[3].utf8))
    #expect(curves.map(\.epoch) == [1, 2] && ["1", "2"].contains(row[4]))

    // Pleura's own commands read the weights PyTorch wrote.
    try step(["evaluate", model, "--bootstrap", "20", "--threads", "1"])
    let pictures = cli.folder.appendingPathComponent("explain")
    try step(["explain", model, "--samples", "2", "-o", pictures.path])
    let written = try FileManager.default.contentsOfDirectory(atPath: pictures.path)
    #expect(
      written.contains { $0.hasSuffix("-saliency.npy") } && written.contains { $0.hasSuffix("-strip.png") })

    // The lineage names the external run, and the run its plugin's version and manifest digest.
    let lineage = try cli.run(["lineage", model])
    #expect(
      lineage.stdout.contains("torch-resnet3d 1.0.0") && lineage.stdout.contains("split"), "\(lineage.stdout)"
    )
    let shown = try cli.run(["show", runID, "--json"]).stdout
    #expect(shown.contains(manifestSHA), "\(shown)")

    // On the CPU the same run again (forced) gives byte-identical weights.
    let again = try Self.train(cli, "demo@1", split: split, parameters, force: true)
    let againWeights = try SQLiteRows.fetch(
      cli.catalog, "SELECT weights_sha256 FROM model WHERE id = '\(try Self.modelID(again))'")
    #expect(againWeights.first?[0] == row[2])
  }

  @Test func theTwoDimensionalResNet18TrainsOnSingleFramesAndAMisfitIsRefused() async throws {
    let (cli, _) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    func step(_ arguments: [String]) throws {
      let result = try cli.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    }
    try step(["plugins", "add", TorchVenv.plugin.path])
    let recipe = cli.folder.appendingPathComponent("frames1.json")
    try ResNet2DCLITests.singleFrameRecipe.write(to: recipe, atomically: true, encoding: .utf8)
    try step(["dataset", "build", recipe.path])
    try step(["split", "frames1@1"])
    let split = try #require(
      try SQLiteRows.fetch(
        cli.catalog, "SELECT s.id FROM split s JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'frames1'"
      ).first?[0])

    // The 2D network on 60-frame cubes: the run fails in one line naming both, and makes no model.
    let models = try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM model")
    let demoSplit = try #require(
      try SQLiteRows.fetch(
        cli.catalog, "SELECT s.id FROM split s JOIN dataset d ON d.id = s.dataset_id WHERE d.name = 'demo'"
      ).first?[0])
    let misfit = try cli.run(
      [
        "run", "torch-resnet3d", "--input", "demo@1", "--input", demoSplit, "--param",
        "architecture=resnet-18",
      ],
      environment: Self.environment)
    #expect(misfit.status == 1 && misfit.stderr.contains("resnet-18") && misfit.stderr.contains("60 frames"))
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM model") == models)

    let outcome = try Self.train(
      cli, "frames1@1", split: split,
      ["architecture=resnet-18", "width=0.0625", "epochs=1", "batchSize=16", "device=cpu", "threads=1"])
    let model = try Self.modelID(outcome)
    let hyperparameters = try #require(
      try SQLiteRows.fetch(cli.catalog, "SELECT hyperparameters_json FROM model WHERE id = '\(model)'")
        .first?[0])
    #expect(hyperparameters.contains("resnet2d block=basic"), "\(hyperparameters)")
    try step(["evaluate", model, "--bootstrap", "20", "--threads", "1"])
    let pictures = cli.folder.appendingPathComponent("explain")
    try step(["explain", model, "--samples", "2", "-o", pictures.path])
    let saliency = try #require(
      try FileManager.default.contentsOfDirectory(atPath: pictures.path).first {
        $0.hasSuffix("-saliency.npy")
      })
    let header = try Data(contentsOf: pictures.appendingPathComponent(saliency)).prefix(128)
    #expect(String(decoding: header, as: UTF8.self).contains(", 2, 1, 30, 30)"))
  }
}

/// Without its venv the plugin's launcher fails in one line naming the script that makes it, and
/// the run leaves no model. Needs no PyTorch, so it runs everywhere.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"), .tags(.slow))
struct TorchPluginWithoutVenvCLITests {
  @Test func aMissingVenvIsNamedWithTheScriptThatMakesIt() async throws {
    let (cli, _) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    #expect(try cli.run(["plugins", "add", TorchVenv.plugin.path]).status == 0)
    let split = try #require(try SQLiteRows.fetch(cli.catalog, "SELECT id FROM split").first?[0])
    let models = try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM model")
    let missing = cli.folder.appendingPathComponent("no-venv").path
    let result = try cli.run(
      ["run", "torch-resnet3d", "--input", "demo@1", "--input", split],
      environment: ["PLEURA_TORCH_VENV": missing])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(
      result.stderr.contains("no PyTorch venv at \(missing)") && result.stderr.contains("setup-venv.sh"),
      "\(result.stderr)")
    #expect(try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM model") == models)
  }
}
