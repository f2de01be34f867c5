import Foundation
import TestSupport
import Testing

/// One small pipeline (synthesize, transcode, dataset build, split, train, evaluate, explain) run
/// with stderr to files: each long command reports its finished items there, and `pleura rerun`
/// of a run of every plugin that declares itself reproducible gives identical outputs.
@Suite(.enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to check test videos"), .tags(.slow))
struct PipelineRerunCLITests {
  @Test func longCommandsReportProgressAndEveryReproduciblePluginReruns() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    @discardableResult func step(_ arguments: [String], reports label: String, _ unit: String) throws
      -> PleuraCLI.Result
    {
      let result = try cli.run(arguments)
      #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
      let finished = result.stderr.split(separator: "\n").contains {
        ProgressCLITests.finished($0, label, unit)
      }
      #expect(finished, "\(arguments[0]) reported no finished '\(label)' line: \(result.stderr)")
      return result
    }
    try step(
      [
        "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
        "2.2", "--seed", "5",
      ], reports: "synthesize", "videos")
    try step(["transcode", "--all", "--preset", "ultrafast"], reports: "transcode", "videos")
    try step(["dataset", "build", "demo"], reports: "tile demo", "conversions")
    #expect(try cli.run(["split", "demo@1"]).status == 0)
    try step(
      ["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16"], reports: "train epoch 1/1",
      "batches")
    let model = try #require((try cli.json(["models"]) as? [[String: Any]])?.first?["id"] as? String)
    try step(["evaluate", model, "--bootstrap", "50"], reports: "evaluate", "cubes")
    let pictures = cli.folder.appendingPathComponent("explain").path
    try step(
      ["explain", model, "--samples", "2", "--no-overlay", "-o", pictures], reports: "explain", "cubes")

    let listing = try cli.run(["plugins", "--json"], withCatalog: false)
    let plugins = try #require(
      try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]])
    let reproducible = Set(
      plugins.filter { $0["reproducible"] as? Bool == true }.map { $0["name"] as! String })
    #expect(reproducible.isSuperset(of: ["transcode", "tile", "split", "train", "evaluate"]))
    let runs = try #require(try cli.json(["runs"]) as? [[String: Any]])
    var rerun: Set<String> = []
    for plugin in reproducible.sorted() {
      guard
        let run = runs.first(where: {
          $0["plugin"] as? String == plugin && $0["status"] as? String == "succeeded"
        }
        )?["id"] as? String
      else { continue }
      let result = try cli.run(["rerun", run])
      #expect(result.status == 0, "rerun of \(plugin) run \(run): \(result.stdout)\(result.stderr)")
      #expect(result.stdout.contains("outputs are identical"), "\(plugin): \(result.stdout)")
      rerun.insert(plugin)
    }
    #expect(
      rerun == reproducible,
      "reproducible plugins without a run in this pipeline: \(reproducible.subtracting(rerun))")

    // A plugin that reads the outside world says why it cannot be re-executed.
    let clip = try Fixtures.video(in: cli.folder, name: "outside.mp4", encoder: ["-c:v", "libx264"])
    let ingest =
      try cli.json(["ingest", clip.path, "--patient", "P9", "--label", "absent"]) as! [String: Any]
    let ingestRun = try #require((ingest["runs"] as? [[String: Any]])?.first?["runID"] as? String)
    let refused = try cli.run(["rerun", ingestRun])
    #expect(refused.status == 2 && refused.stderr.contains("not reproducible"), "\(refused.stderr)")
  }
}
