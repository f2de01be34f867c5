import Foundation
import TestSupport
import Testing

/// The shipped external plugin `plugins/mmode-logistic` (Python with NumPy) run by the real
/// binary with full provenance: added to the catalog, listed with its origin, run with progress,
/// reused from the run cache, forced, re-executed identically, in the lineage, refused for rerun
/// once edited, and carried by a bundle to another site.
@Suite(
  .enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make test videos"),
  .enabled(if: Python.has("numpy"), "skipped: no python3 with numpy (run scripts/setup-python-tools.sh)"),
  .tags(.slow))
struct ExternalPluginCLITests {
  /// The interpreter's folder first on the PATH, so that the plugin's `#!/usr/bin/env python3`
  /// finds the one with NumPy.
  static var environment: [String: String] {
    let folder = URL(fileURLWithPath: Python.interpreter ?? "/usr/bin/python3").deletingLastPathComponent()
      .path
    return ["PATH": folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
  }

  static let source = PackageRoot.url.appendingPathComponent("plugins/mmode-logistic")

  @Test func theShippedPluginRunsWithFullProvenance() throws {
    let a = PleuraCLI()
    defer { a.cleanUp() }
    let env = Self.environment
    try a.run(["init", "--site-name", "Hospital A"])
    try a.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2", "--seed", "5",
    ])
    #expect(try a.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    #expect(try a.run(["dataset", "build", "demo"]).status == 0)
    let split = try #require(
      ((try a.json(["split", "demo@1"]) as? [String: Any])?["outputs"] as? [[String: Any]])?.first?["id"]
        as? String)

    // Added: copied into the catalog, listed beside the built-in plugins with where it came from.
    let added = try a.run(["plugins", "add", Self.source.path])
    #expect(added.status == 0, "\(added.stderr)")
    let copy = a.catalog.appendingPathComponent("plugins/mmode-logistic")
    #expect(FileManager.default.fileExists(atPath: copy.appendingPathComponent("plugin.py").path))
    #expect(
      try a.run(["plugins", "add", Self.source.path]).status == 0, "adding the same files again is fine")
    let plugins = try #require(try a.json(["plugins"]) as? [[String: Any]])
    let external = try #require(plugins.first { $0["name"] as? String == "mmode-logistic" })
    #expect((external["origin"] as? String)?.hasPrefix("catalog") == true)
    #expect(plugins.first { $0["name"] as? String == "train" }?["origin"] as? String == "built-in")
    let manifestSHA = try #require(external["manifestSha256"] as? String)

    // A bad parameter is refused before anything is written.
    let before = try CatalogSnapshot.take(a.catalog)
    let refused = try a.run(
      ["run", "mmode-logistic", "--input", "demo@1", "--input", split, "--param", "epochs=0"],
      environment: env)
    #expect(refused.status == 1 && refused.stderr.contains("epochs") && refused.stderr.contains("minimum"))
    #expect(try CatalogSnapshot.take(a.catalog) == before)

    // Runs, with progress shown like Pleura's own.
    let arguments = ["run", "mmode-logistic", "--input", "demo@1", "--input", split, "--param", "epochs=120"]
    let first = try a.run(arguments, environment: env)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(
      first.stderr.split(separator: "\n").contains {
        ProgressCLITests.finished($0, "mmode-logistic training", "epochs")
      },
      "\(first.stderr)")
    let outcome = try #require(try a.json(arguments) as? [String: Any])
    #expect(outcome["reused"] as? Bool == true, "the same run again is answered by the run cache")
    let outputs = try #require(outcome["outputs"] as? [[String: Any]])
    #expect(outputs.compactMap { $0["kind"] as? String }.sorted() == ["evaluation", "model"])
    let model = try #require(outputs.first { $0["kind"] as? String == "model" }?["id"] as? String)
    let runID = try #require(outcome["runID"] as? String)
    let forced = try #require(try a.json(arguments + ["--force"]) as? [String: Any])
    #expect(forced["reused"] as? Bool == false && forced["runID"] as? String != runID)

    // The run records the plugin's version and digests; the model lists and has a lineage.
    let run = try a.run(["show", runID, "--json"]).stdout
    #expect(run.contains(manifestSHA) && run.contains("1.0.0"), "\(run)")
    let models = try #require(try a.json(["models"]) as? [[String: Any]])
    #expect(models.first { $0["id"] as? String == model }?["architecture"] as? String == "mmode-logistic")
    let lineage = try a.run(["lineage", model])
    #expect(
      lineage.stdout.contains("mmode-logistic 1.0.0") && lineage.stdout.contains("split")
        && lineage.stdout.contains("tile"), "\(lineage.stdout)")

    // Deterministic: rerun gives byte-identical weights and scores.
    let rerun = try a.run(["rerun", runID], environment: env)
    #expect(
      rerun.status == 0 && rerun.stdout.contains("outputs are identical"), "\(rerun.stdout)\(rerun.stderr)")

    // A bundle carries the external run to another site.
    let bundle = a.folder.appendingPathComponent("demo.tar.zst").path
    let export = try a.run(["export", "demo@1", "-o", bundle, "--with-models"])
    #expect(export.status == 0, "\(export.stderr)")
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    let imported = try b.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    let importedLineage = try b.run(["lineage", model])
    #expect(
      importedLineage.stdout.contains("mmode-logistic 1.0.0")
        && importedLineage.stdout.contains("[Hospital A]"),
      "\(importedLineage.stdout)")
    #expect(try b.run(["show", runID, "--json"]).stdout.contains(manifestSHA))

    // Edited in place, the plugin is another plugin: no reuse, and no rerun of the old runs.
    let program = try FileHandle(forWritingTo: copy.appendingPathComponent("plugin.py"))
    try program.seekToEnd()
    try program.write(contentsOf: Data("\n# edited\n".utf8))
    try program.close()
    let refusedRerun = try a.run(["rerun", runID], environment: env)
    #expect(refusedRerun.status != 0 && refusedRerun.stderr.contains("other files"), "\(refusedRerun.stderr)")
    let edited = try #require(try a.json(arguments) as? [String: Any])
    #expect(edited["reused"] as? Bool == false)
  }

  @Test func aBrokenPluginIsNamedAndTheOthersStillList() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let place = cli.folder.appendingPathComponent("more-plugins/broken")
    try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true)
    try Data(#"{"name": "Broken", "version": "1", "command": ["/bin/sh"], "outputs": ["site"]}"#.utf8).write(
      to: place.appendingPathComponent("plugin.json"))
    let listed = try cli.run(
      ["plugins"], environment: ["PLEURA_PLUGIN_PATH": place.deletingLastPathComponent().path])
    #expect(listed.status == 0 && listed.stdout.contains("train"))
    for field in ["name", "version", "summary", "command[0]", "outputs[0]", "deterministic"] {
      #expect(listed.stderr.contains("plugin.json: \(field): "), "\(field): \(listed.stderr)")
    }
    let check = try cli.run(["plugins", "check", place.path], withCatalog: false)
    #expect(check.status == 1 && check.stderr.contains("command[0]"))
    let add = try cli.run(["plugins", "add", place.path])
    #expect(add.status == 1)
    #expect(
      !FileManager.default.fileExists(atPath: cli.catalog.appendingPathComponent("plugins/broken").path))
  }
}
