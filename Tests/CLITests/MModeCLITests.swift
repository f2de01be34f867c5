import Foundation
import Platform
import TestSupport
import Testing

/// An M-mode dataset through the real binary: built from the built-in recipe, listed and shown
/// as M-mode, split, trained on and evaluated (one-frame cubes), exported with `export-npy` and
/// carried by a bundle to another site; a bad recipe gets one line and changes nothing.
@Suite(.tags(.slow)) struct MModeCLITests {
  @Test func anMModeDatasetIsBuiltSplitTrainedExportedAndCarriedByABundle() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    try a.run(["init", "--site-name", "Hospital A"])
    try a.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.2", "--max-seconds",
      "2.3", "--seed", "5",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let build = try a.run(["dataset", "build", "mmode_64"])
    #expect(build.status == 0, "\(build.stderr)")

    let listed = try #require(try a.json(["dataset", "list"]) as? [[String: Any]])
    #expect(
      listed.first?["reference"] as? String == "mmode_64@1" && listed.first?["kind"] as? String == "mmode")
    let cubes = try #require(listed.first?["cubes"] as? Int)
    #expect(cubes > 6 * 20, "one 64-frame window per video, one image per 8th column")
    let show = try a.run(["dataset", "show", "mmode_64@1"])
    #expect(
      show.stdout.contains("holds: 64x64 M-mode images, 64-frame windows every 64 frames, every 8th column"),
      "\(show.stdout)")
    #expect(try a.run(["dataset", "list"]).stdout.contains("mmode"))

    #expect(try a.run(["split", "mmode_64@1"]).status == 0)
    let train = try a.run(["train", "mmode_64@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"])
    #expect(train.status == 0, "\(train.stderr)")
    let model = try #require((try a.json(["models"]) as? [[String: Any]])?.first?["id"] as? String)
    let evaluate = try a.run(["evaluate", model, "--bootstrap", "20"])
    #expect(evaluate.status == 0 && evaluate.stdout.contains("accuracy"), "\(evaluate.stderr)")

    let npy = a.folder.appendingPathComponent("npy")
    let export = try a.run(["dataset", "export-npy", "mmode_64@1", npy.path])
    #expect(export.status == 0 && export.stdout.contains("wrote \(cubes) cubes"), "\(export.stderr)")
    let header = try #require(NPY.readHeader(try Data(contentsOf: npy.appendingPathComponent("cubes.npy"))))
    #expect(header.descr == "|u1" && header.shape == [cubes, 1, 64, 64])
    let meta = try String(contentsOf: npy.appendingPathComponent("meta.csv"), encoding: .utf8)
    #expect(meta.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix(",64,1") })

    let bundle = a.folder.appendingPathComponent("mmode.tar.zst").path
    #expect(try a.run(["export", "mmode_64@1", "-o", bundle]).status == 0)
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    let imported = try b.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    let shown = try b.run(["dataset", "show", "Hospital A/mmode_64@1"])
    #expect(shown.status == 0 && shown.stdout.contains("holds: 64x64 M-mode images"), "\(shown.stderr)")
    let npyB = b.folder.appendingPathComponent("npy")
    #expect(try b.run(["dataset", "export-npy", "Hospital A/mmode_64@1", npyB.path]).status == 0)
    #expect(
      try Data(contentsOf: npyB.appendingPathComponent("cubes.npy"))
        == Data(contentsOf: npy.appendingPathComponent("cubes.npy")))
    #expect(try b.run(["verify"]).status == 0)
  }

  @Test func aBadMModeRecipeGetsOneLineAndLeavesTheCatalogAsItWas() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let file = cli.folder.appendingPathComponent("bad.json")
    try Data(#"{"name": "bad", "kind": "mmode", "mmode": {"window": 0}}"#.utf8).write(to: file)
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run(["dataset", "build", file.path])
    #expect(result.status == 2)
    let lines = result.stderr.split(separator: "\n")
    #expect(
      lines.count == 1 && lines[0].contains("recipe bad: mmode.window 0 is outside 1...600"),
      "\(result.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }
}
