import Foundation
import TestSupport
import Testing

/// `pleura experiment` with an M-mode row, through the real binary: Table 5 printed and written
/// next to Table 4, in `--json`, explained in `--help`; a grid whose M-mode recipe is not one gets
/// one line and leaves the catalog as it was.
@Suite(.tags(.slow)) struct ExperimentTable5CLITests {
  /// One narrow one-epoch 3D row on the demo recipe and the M-mode row on mmode_64.
  static let grid = """
    {"name": "tiny-table5", "rows": [{"architecture": "resnet3d-18", "dataset": "demo"}],
     "mmode": "mmode_64", "split": {"validation": 0.2},
     "width": 0.03125, "epochs": 1, "batchSize": 16, "seed": 42, "threads": 2, "bootstrap": 30}
    """

  @Test func theExperimentPrintsTableFiveWithTheMModeRowAndItsDifferences() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    try cli.run([
      "synthesize", "--patients", "6", "--absent-fraction", "0.5", "--min-seconds", "2.2", "--max-seconds",
      "2.3", "--seed", "5",
    ])
    #expect(try cli.run(["transcode", "--all", "--preset", "ultrafast"]).status == 0)
    let gridFile = cli.folder.appendingPathComponent("grid.json")
    try Data(Self.grid.utf8).write(to: gridFile)
    let out = cli.folder.appendingPathComponent("out")

    let result = try cli.run(["experiment", gridFile.path, "-o", out.path])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.contains { $0.hasPrefix("Table 5: the best 3D model per cube size and the M-mode baseline") })
    #expect(lines.contains { $0.hasPrefix("| Resnet3D-18 | demo@1 (30 px) | cubes |") })
    #expect(lines.contains { $0.hasPrefix("| Resnet3D-18 | demo@1 (30 px) | videos |") })
    #expect(lines.contains { $0.hasPrefix("| ResNet-18 (M-mode) | mmode_64@1 | images |") })
    #expect(lines.contains { $0.hasPrefix("| ResNet-18 (M-mode) | mmode_64@1 | videos |") })
    #expect(
      lines.contains {
        $0.hasPrefix("| Jaščur et al. 2021 (reported)") && $0.contains("| 0.8900 | 0.8200 | 0.9200 |")
      })
    // The differences: a signed value and its interval per metric, McNemar on the video line.
    let videoDifference = try #require(
      lines.last { $0.hasPrefix("| Resnet3D-18 | demo@1 | videos |") }, "\(result.stdout)")
    #expect(
      videoDifference.range(of: #"[+-]\d\.\d{4} \[-?\d\.\d{4}, -?\d\.\d{4}\]"#, options: .regularExpression)
        != nil)
    #expect(videoDifference.contains("3D only right") && videoDifference.contains("p = "))
    #expect(result.stdout.contains("tables: \(out.path)/table.md, table.csv, table5.md, table5.csv"))
    let written = try String(contentsOf: out.appendingPathComponent("table5.md"), encoding: .utf8)
    #expect(result.stdout.contains(written))
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("table5.csv").path))

    // --json: Table 4's rows and Table 5, all from the run cache this time.
    let json = try #require(
      try cli.json(["experiment", gridFile.path, "-o", out.path]) as? [String: Any])
    #expect((json["rows"] as? [[String: Any]])?.count == 1)
    let table5 = try #require(json["table5"] as? [String: Any])
    let mmode = try #require(table5["mmode"] as? [String: Any])
    #expect(mmode["architecture"] as? String == "resnet-18" && mmode["reused"] as? Bool == true)
    let entry = try #require((table5["entries"] as? [[String: Any]])?.first)
    let comparison = try #require(entry["comparison"] as? [String: Any])
    #expect(comparison["first"] as? String == mmode["modelId"] as? String)
    let mcNemar = try #require(comparison["videoMcNemar"] as? [String: Any])
    #expect(mcNemar["pValue"] is Double)
    let video = try #require(comparison["video"] as? [String: Any])
    let differences = try #require(video["differences"] as? [[String: Any]])
    #expect(
      differences.map { $0["metric"] as? String } == ["accuracy", "sensitivity", "specificity", "f1", "auc"])
    #expect(table5["patients"] as? Int == video["patients"] as? Int)
    let reference = try #require(table5["reference"] as? [String: Any])
    #expect(reference["sensitivity"] as? Double == 0.82)
  }

  @Test func aGridWhoseMModeRecipeIsNotOneGetsOneLineAndChangesNothing() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    try cli.run(["init"])
    let before = try CatalogSnapshot.take(cli.catalog)
    let result = try cli.run([
      "experiment", "paper-grid", "--rows", "18:demo", "--mmode", "all_30x30", "-o",
      cli.folder.appendingPathComponent("out").path,
    ])
    #expect(result.status == 2)
    let lines = result.stderr.split(separator: "\n")
    #expect(
      lines.count == 1 && lines[0].contains("mmode recipe all_30x30 is not an M-mode recipe"),
      "\(result.stderr)")
    #expect(try CatalogSnapshot.take(cli.catalog) == before)
  }

  @Test func helpExplainsTheMModeRowWithAnExample() throws {
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let help = try cli.run(["experiment", "--help"], withCatalog: false)
    #expect(help.status == 0)
    let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(
      separator: " ")
    #expect(text.contains("The M-mode row:") && text.contains("Table 5") && text.contains("same patients"))
    #expect(text.contains("Example:") && text.contains("--mmode mmode_64"))
    #expect(text.contains("--mmode <mmode>"))
  }
}

/// The M-mode row on a real single-node Slurm (scripts/slurm-up.sh; `make test` starts it): its
/// train and evaluate runs go out as jobs like the 3D rows', and Table 5 is the local one.
@Suite(
  .tags(.slow),
  .enabled(
    if: SlurmCluster.available,
    "no single-node Slurm answers here (start it with scripts/slurm-up.sh as root)"))
struct ExperimentTable5SlurmCLITests {
  @Test func theMModeRowOnSlurmGivesTheLocalTableFive() async throws {
    let fixture = try await PipelineFixture(patients: 6, seconds: 2.2...2.3)
    defer { fixture.cleanUp() }
    let cli = PleuraCLI()
    defer { cli.cleanUp() }
    let (local, slurm) = try fixture.localAndSlurmCopies(in: cli.folder)
    let gridFile = cli.folder.appendingPathComponent("grid.json")
    try Data(ExperimentTable5CLITests.grid.utf8).write(to: gridFile)
    func table5(_ catalog: URL, _ extra: [String]) throws -> [String: Any] {
      let result = try cli.run(
        ["experiment", gridFile.path, "-o", catalog.path + "-out", "--json", "--catalog", catalog.path]
          + extra,
        withCatalog: false)
      #expect(result.status == 0, "\(result.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
      return try #require(json?["table5"] as? [String: Any])
    }
    let here = try table5(local, [])
    let there = try table5(slurm, ["--executor", "slurm"])
    let sql =
      "SELECT m.architecture, m.weights_sha256, j.id IS NOT NULL FROM model m LEFT JOIN job j ON j.run_id = "
      + "(SELECT run_id FROM run_edge WHERE entity_id = m.id AND direction = 'output') ORDER BY m.architecture"
    let localModels = try SQLiteRows.fetch(local, sql)
    let slurmModels = try SQLiteRows.fetch(slurm, sql)
    // The same weights bit for bit, every model of the Slurm catalog trained by a job.
    #expect(localModels.map { $0.prefix(2) } == slurmModels.map { $0.prefix(2) })
    #expect(localModels.map(\.[0]) == ["resnet-18", "resnet3d-18"])
    #expect(slurmModels.allSatisfy { $0[2] == "1" }, "\(slurmModels)")
    // The same comparison (the ids differ between the catalogs, the figures do not).
    func figures(_ table: [String: Any]) throws -> Data {
      let entries = try #require(table["entries"] as? [[String: Any]])
      let comparisons = entries.compactMap {
        ($0["comparison"] as? [String: Any]).map {
          ["cube": $0["cube"], "video": $0["video"], "mcNemar": $0["videoMcNemar"]]
        }
      }
      return try JSONSerialization.data(withJSONObject: comparisons, options: .sortedKeys)
    }
    #expect(try figures(here) == figures(there))
  }
}
