import Foundation
import GRDB
import TestSupport

/// A small catalog with everything the pipeline makes (6 synthetic patients, their conversions
/// and ROIs, the `demo` dataset and a split), built once per test process with the real binary
/// and copied for each test that needs one, with a bundle of its dataset exported from it.
enum DemoCatalog {
  /// The template, built on first use: (catalog folder, bundle of demo@1).
  private static let template: Result<(catalog: URL, bundle: URL), Error> = Result {
    let cli = PleuraCLI()
    atexit { try? FileManager.default.removeItem(atPath: DemoCatalog.templateFolder) }
    templateFolder = cli.folder.path
    func step(_ arguments: [String]) throws {
      let result = try cli.run(arguments)
      guard result.status == 0 else {
        throw FixtureError("pleura \(arguments.joined(separator: " ")): \(result.stderr)")
      }
    }
    try step(["init", "--site-name", "Hospital A"])
    try step([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.1", "--max-seconds",
      "2.2", "--seed", "5",
    ])
    try step(["transcode", "--all", "--preset", "ultrafast"])
    try step(["dataset", "build", "demo"])
    try step(["split", "demo@1", "--seed", "7"])
    let bundle = cli.folder.appendingPathComponent("demo-1.tar.zst")
    try step(["export", "demo@1", "-o", bundle.path])
    return (cli.catalog, bundle)
  }
  nonisolated(unsafe) private static var templateFolder = ""

  /// A bundle of another site ("Hospital B", 3 patients, demo@1), for imports into the demo catalog.
  private static let otherSite: Result<URL, Error> = Result {
    let cli = PleuraCLI()
    atexit { try? FileManager.default.removeItem(atPath: DemoCatalog.otherSiteFolder) }
    otherSiteFolder = cli.folder.path
    for arguments in [
      ["init", "--site-name", "Hospital B"],
      ["synthesize", "--patients", "3", "--min-seconds", "2.1", "--max-seconds", "2.2", "--seed", "6"],
      ["transcode", "--all", "--preset", "ultrafast"], ["dataset", "build", "demo"],
    ] {
      let result = try cli.run(arguments)
      guard result.status == 0 else {
        throw FixtureError("pleura \(arguments.joined(separator: " ")): \(result.stderr)")
      }
    }
    let bundle = cli.folder.appendingPathComponent("hospital-b-demo-1.tar.zst")
    // Sources and conversions travel, so that transcode and build can read what came in.
    let export = try cli.run(["export", "demo@1", "-o", bundle.path, "--with-sources", "--with-conversions"])
    guard export.status == 0 else { throw FixtureError("pleura export: \(export.stderr)") }
    return bundle
  }
  nonisolated(unsafe) private static var otherSiteFolder = ""

  static func otherSiteBundle() throws -> URL { try otherSite.get() }

  /// A copy of the demo catalog as `cli`'s catalog.
  static func copy(into cli: PleuraCLI) throws {
    let (catalog, _) = try template.get()
    try FileManager.default.copyItem(at: catalog, to: cli.catalog)
  }

  /// The bundle of demo@1, exported from the template (site "Hospital A").
  static func bundle() throws -> URL { try template.get().bundle }

  /// Entities that exist more than once with the same content: what identical runs started at
  /// once must never leave behind. One line per duplicate group.
  static func duplicates(in catalog: URL) throws -> [String] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(
      path: catalog.appendingPathComponent("catalog.sqlite").path, configuration: configuration)
    let groups = [
      ("split", "dataset_id, parameters_json"),
      ("model", "split_id, architecture, hyperparameters_json, seed"),
      ("dataset", "site_id, name, recipe_json, summary_json"),
      ("conversion", "source_video_id, parameters_json"),
      ("source_video", "site_id, blob_sha256"),
      ("evaluation", "model_id, dataset_id, part, metrics_json"),
    ]
    return try queue.read { db in
      let entities = try groups.flatMap { table, key in
        try String.fetchAll(
          db,
          sql: "SELECT '\(table): ' || count(*) || ' alike' FROM \(table) GROUP BY \(key) HAVING count(*) > 1"
        )
      }
      // Without --force, a run identity succeeds once; later identical runs reuse it.
      let runs = try String.fetchAll(
        db,
        sql: """
          SELECT 'run: ' || count(*) || ' succeeded ' || plugin || ' runs of one identity' FROM run
          WHERE status = 'succeeded' AND plugin NOT IN ('ingest', 'roi', 'import', 'export', 'synthesize')
          GROUP BY cache_key HAVING count(*) > 1
          """)
      return entities + runs
    }
  }
}
