import Foundation
import TestSupport
import Testing

/// External plugins that make datasets, conversions and pictures, run by the real binary: each
/// kind lands with provenance and is usable as a built-in one is (a dataset splits, exports to
/// `.npy` and travels in a bundle), and each broken output leaves no entity, no blob and a failed
/// run with one clear reason.
@Suite(
  .enabled(if: Fixtures.ffmpegAvailable, "the ffmpeg CLI is needed to make and read test videos"),
  .enabled(if: Python.has("numpy"), "skipped: no python3 with numpy (run scripts/setup-python-tools.sh)"),
  .tags(.slow))
struct ExternalOutputsCLITests {
  /// A copy of the pipeline catalog with the maker plugin in its plugins folder.
  static func catalog() async throws -> PleuraCLI {
    let (cli, _) = try await PipelineCatalog.shared.copy()
    try MakerPlugin.write(in: cli.catalog.appendingPathComponent("plugins/maker"))
    return cli
  }

  static var environment: [String: String] { ExternalPluginCLITests.environment }

  /// `--input` for every conversion, its video's current ROI and current label version.
  static func datasetInputs(_ catalog: URL) throws -> [String] {
    let rows = try SQLiteRows.fetch(
      catalog,
      """
      SELECT c.id, (SELECT r.id FROM roi_annotation r WHERE r.source_video_id = c.source_video_id
                    ORDER BY r.version DESC LIMIT 1),
                   (SELECT l.id FROM label_annotation l WHERE l.source_video_id = c.source_video_id
                    ORDER BY l.version DESC LIMIT 1)
      FROM conversion c ORDER BY c.id
      """)
    return rows.flatMap { row in row.flatMap { ["--input", $0] } }
  }

  /// The catalog's rows and blobs, without the runs and their edges (a failed run is written).
  static func entities(_ catalog: URL) throws -> [String] {
    try CatalogSnapshot.take(catalog).filter { !$0.hasPrefix("run: ") && !$0.hasPrefix("run_edge: ") }
  }

  /// Runs the maker with `fault` and checks the refusal: status 1, the reason on one line, no
  /// entity or blob, and the run recorded as failed with that reason.
  static func refused(
    _ cli: PleuraCLI, make: String, fault: String, inputs: [String], reason: String
  ) throws {
    let before = try entities(cli.catalog)
    let result = try cli.run(
      ["run", "maker", "--param", "make=\(make)", "--param", "fault=\(fault)"] + inputs,
      environment: environment)
    #expect(result.status == 1, "\(fault): \(result.stdout)\(result.stderr)")
    let line = result.stderr.split(separator: "\n").first { $0.contains("invalid result") } ?? ""
    #expect(line.contains(reason), "\(fault): \(result.stderr)")
    #expect(try entities(cli.catalog) == before, "\(fault) left rows or blobs")
    let errors = try SQLiteRows.fetch(
      cli.catalog, "SELECT status, error FROM run WHERE plugin = 'maker' ORDER BY started_at DESC LIMIT 1")
    #expect(errors.first?[0] == "failed" && errors.first?[1].contains(reason) == true, "\(errors)")
  }

  @Test func aDatasetMadeByAPluginSplitsExportsAndTravels() async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    let inputs = try Self.datasetInputs(cli.catalog)
    let made = try cli.run(["run", "maker", "--json"] + inputs, environment: Self.environment)
    #expect(made.status == 0, "\(made.stderr)")
    let datasets = try SQLiteRows.fetch(
      cli.catalog, "SELECT id, version FROM dataset WHERE name = 'mirrored'")
    #expect(datasets.count == 1 && datasets.first?[1] == "1", "\(datasets)")
    let dataset = try #require(datasets.first?[0])
    let cubes = try SQLiteRows.fetch(
      cli.catalog, "SELECT count(*), min(frames), max(size) FROM cube WHERE dataset_id = '\(dataset)'")
    #expect(cubes.first == ["18", "8", "16"], "six videos, three 8-frame 16 x 16 cubes each: \(cubes)")
    let lineage = try cli.run(["lineage", dataset])
    #expect(
      lineage.stdout.contains("maker 1.0.0") && lineage.stdout.contains("transcode"), "\(lineage.stdout)")

    // The same inputs again: the run cache answers; forced, the same cubes are the same version.
    let again = try #require(try cli.json(["run", "maker"] + inputs) as? [String: Any])
    #expect(again["reused"] as? Bool == true)
    #expect(try cli.run(["run", "maker", "--force"] + inputs, environment: Self.environment).status == 0)
    #expect(
      try SQLiteRows.fetch(cli.catalog, "SELECT count(*) FROM dataset WHERE name = 'mirrored'") == [["1"]])

    // It splits patient-wise and exports to .npy like a built dataset.
    let split = try cli.run(["split", "mirrored@1"])
    #expect(split.status == 0, "\(split.stderr)")
    let npy = cli.folder.appendingPathComponent("mirrored-npy")
    let exported = try cli.run(["dataset", "export-npy", "mirrored@1", npy.path])
    #expect(exported.status == 0, "\(exported.stderr)")
    let shape = Python.run([
      "-c", "import numpy; print(numpy.load('\(npy.path)/cubes.npy').shape)",
    ])
    #expect(shape.stdout.contains("(18, 8, 16, 16)"), "\(shape.stdout)\(shape.stderr)")

    // A bundle carries it, with its run and cubes, to another site.
    let bundle = cli.folder.appendingPathComponent("mirrored.tar.zst").path
    let export = try cli.run(["export", "mirrored@1", "-o", bundle])
    #expect(export.status == 0, "\(export.stderr)")
    let b = PleuraCLI()
    defer { b.cleanUp() }
    try b.run(["init", "--site-name", "Hospital B"])
    let imported = try b.run(["import", bundle])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(
      try SQLiteRows.fetch(b.catalog, "SELECT count(*) FROM cube WHERE dataset_id = '\(dataset)'") == [["18"]]
    )
    let importedLineage = try b.run(["lineage", dataset])
    #expect(importedLineage.stdout.contains("maker 1.0.0"), "\(importedLineage.stdout)")
    let npyB = b.folder.appendingPathComponent("mirrored-npy")
    #expect(try b.run(["dataset", "export-npy", dataset, npyB.path]).status == 0)
    #expect(
      FileManager.default.contents(atPath: npyB.appendingPathComponent("cubes.npy").path)
        == FileManager.default.contents(atPath: npy.appendingPathComponent("cubes.npy").path))
  }

  @Test(arguments: [
    ("float-shard", "uint8 [n, frames, size, size] in C order expected"),
    ("short-sidecar", "has 2 rows but its shard holds 3 cubes"),
    ("foreign-conversion", "is not one of the run's input conversions"),
  ])
  func aBrokenDatasetLeavesNoEntity(fault: String, reason: String) async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    try Self.refused(
      cli, make: "dataset", fault: fault, inputs: try Self.datasetInputs(cli.catalog), reason: reason)
  }

  @Test func aConversionMadeByAPluginIsProbedAndRecordedAsTranscodeRecordsIt() async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    let video = try #require(
      try SQLiteRows.fetch(cli.catalog, "SELECT id FROM source_video ORDER BY id").first?[0])
    let made = try cli.run(
      ["run", "maker", "--param", "make=conversion", "--input", video], environment: Self.environment)
    #expect(made.status == 0, "\(made.stderr)")
    let rows = try SQLiteRows.fetch(
      cli.catalog,
      "SELECT id, codec, width, height, fps_num, fps_den, pixel_data, parameters_json, container FROM conversion "
        + "WHERE source_video_id = '\(video)' AND codec = 'ffv1'")
    let row = try #require(rows.first, "no ffv1 conversion of \(video)")
    #expect(Array(row[1...6]) == ["ffv1", "64", "48", "15", "1", "luma"], "\(row)")
    #expect(
      row[7].contains("\"width\":64") && row[7].contains("\"preset\""), "all transcode parameters: \(row[7])")
    #expect(try cli.run(["lineage", row[0]]).stdout.contains("maker 1.0.0"))
    // A dataset recipe could pick it: its bytes are a decodable grey video of the recorded size.
    #expect(try cli.run(["verify"]).status == 0)
  }

  @Test(arguments: [
    ("corrupt-video", "output 'grey' video is not a usable video"),
    ("truncated-video", "output 'grey' video is truncated"),
    ("wrong-size", "its size is 64x48 but its parameters give 96x72"),
  ])
  func aBrokenConversionLeavesNoEntity(fault: String, reason: String) async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    let video = try #require(
      try SQLiteRows.fetch(cli.catalog, "SELECT id FROM source_video ORDER BY id").first?[0])
    try Self.refused(cli, make: "conversion", fault: fault, inputs: ["--input", video], reason: reason)
  }

  @Test func picturesAreAttachedToTheRunAsBlobs() async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    let outcome = try #require(
      try cli.json(["run", "maker", "--param", "make=pictures"]) as? [String: Any])
    #expect((outcome["outputs"] as? [Any])?.isEmpty == true, "pictures are no entity: \(outcome)")
    let summary = try #require(outcome["summary"] as? String)
    let lines = summary.split(separator: "\n").filter {
      $0.hasSuffix(".png") == false && $0.contains(".png ")
    }
    #expect(lines.count == 2, "\(summary)")
    for line in lines {
      let sha = String(line.split(separator: " ")[1])
      let blob = try SQLiteRows.fetch(cli.catalog, "SELECT stored FROM blob WHERE sha256 = '\(sha)'")
      #expect(blob == [["1"]], "\(line) is a registered blob")
      let file = cli.catalog.appendingPathComponent("objects/\(sha.prefix(2))/\(sha)")
      #expect(FileManager.default.contents(atPath: file.path)?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }
  }

  @Test(arguments: [
    ("not-png", "picture 'checks.png' is not a PNG file"),
    ("bad-crc", "picture 'checks.png' is corrupt (its IHDR checksum is wrong)"),
  ])
  func aBrokenPictureLeavesNoBlob(fault: String, reason: String) async throws {
    let cli = try await Self.catalog()
    defer { cli.cleanUp() }
    try Self.refused(cli, make: "pictures", fault: fault, inputs: [], reason: reason)
  }
}
