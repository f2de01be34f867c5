import Foundation
import TestSupport
import Testing

/// The 2D ResNet-18 (`--arch resnet-18`) end to end on a dataset of single-frame images (cubes of
/// one frame, the shape M-mode datasets are stored in): train, evaluate and explain work, and the
/// pairings that cannot work (2D on 60-frame cubes, 3D on single frames) are refused in one line
/// with the catalog untouched.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to check test videos"), .tags(.slow))
struct ResNet2DCLITests {
  /// 30x30 tiles of single frames, every 15th frame: cubes of shape (1, 30, 30).
  static let singleFrameRecipe = """
    {
      "name": "frames1",
      "description": "Single 30x30 frames, every 15th: the shape of M-mode images.",
      "tileSize": 30,
      "rows": "2",
      "framesPerCube": 1,
      "clipStride": 15,
      "conversion": { "width": 640, "height": 480, "fpsNumerator": 30, "fpsDenominator": 1 },
      "labels": ["present", "absent"],
      "patients": [],
      "leftovers": "drop"
    }
    """

  @Test func trainEvaluateAndExplainTheTwoDimensionalNetworkOnSingleFrames() async throws {
    let (cli, made) = try await PipelineCatalog.shared.copy()
    defer { cli.cleanUp() }
    let recipe = cli.folder.appendingPathComponent("frames1.json")
    try Self.singleFrameRecipe.write(to: recipe, atomically: true, encoding: .utf8)
    func step(_ arguments: [String]) throws {
      let result = try cli.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    }
    try step(["dataset", "build", recipe.path])
    try step(["split", "frames1@1"])
    let frames = try SQLiteRows.fetch(
      cli.catalog,
      "SELECT DISTINCT c.frames FROM cube c JOIN dataset d ON d.id = c.dataset_id WHERE d.name = 'frames1'")
    #expect(frames == [["1"]])

    let before = try CatalogSnapshot.take(cli.catalog)
    let refused: [([String], [String])] = [
      (
        ["train", "frames1@1", "--arch", "resnet3d-18"],
        ["resnet3d-18", "frames1@1", "single-frame", "resnet-18"]
      ),
      (["train", "demo@1", "--arch", "resnet-18"], ["resnet-18", "demo@1", "60-frame", "resnet3d-18"]),
    ]
    for (arguments, words) in refused {
      let result = try cli.run(arguments)
      // A parameter that does not fit its input is a usage error (exit 2), as every bad parameter.
      #expect(result.status == 2, "\(arguments): \(result.stderr)")
      #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1)
      for word in words { #expect(result.stderr.contains(word), "\(arguments): \(result.stderr)") }
    }
    #expect(try CatalogSnapshot.take(cli.catalog) == before)

    try step([
      "train", "frames1@1", "--arch", "resnet-18", "--width", "0.0625", "--epochs", "1", "--batch", "16",
    ])
    let model = try #require(
      try SQLiteRows.fetch(
        cli.catalog, "SELECT id, hyperparameters_json FROM model WHERE id != '\(made.model)'"
      )
      .first)
    #expect(model[1].contains(#""architecture":"resnet-18""#), "\(model[1])")
    #expect(model[1].contains("resnet2d block=basic"), "\(model[1])")
    try step(["evaluate", model[0], "--bootstrap", "20"])
    // A 2D model cannot be evaluated on 60-frame cubes either.
    let mismatch = try cli.run(["evaluate", model[0], "--dataset", "demo@1", "--part", "all"])
    #expect(mismatch.status == 1 && mismatch.stderr.contains("do not have the shape"), "\(mismatch.stderr)")

    let pictures = cli.folder.appendingPathComponent("explain")
    try step(["explain", model[0], "--samples", "2", "-o", pictures.path])
    let written = try FileManager.default.contentsOfDirectory(atPath: pictures.path)
    let named = { (suffix: String) in written.first { $0.hasSuffix("-" + suffix) } }
    #expect(named("strip.png") != nil, "\(written)")
    // The overlay draws tiles on full frames; an M-mode image has no place there.
    #expect(named("overlay.png") == nil, "\(written)")
    let saliency = try #require(named("saliency.npy"), "\(written)")
    let header = try Data(contentsOf: pictures.appendingPathComponent(saliency)).prefix(128)
    #expect(String(decoding: header, as: UTF8.self).contains(", 2, 1, 30, 30)"))
  }
}
