import Foundation
import TestSupport
import Testing

/// A catalog holding one of every kind of blob, made once per test process through the CLI:
/// six synthetic patients (their ROIs come with them), transcoded, `demo@1` built and split, a
/// narrow one-epoch model and its evaluation. Tests copy it (``copy()``) and never change it.
actor PipelineCatalog {
  static let shared = PipelineCatalog()
  private var building: Task<Made, any Error>?

  /// The ids and blobs a test damages or names.
  struct Made: Sendable {
    let folder: URL
    var catalog: URL { folder.appendingPathComponent("catalog") }
    /// A source video, its blob, and another source video's blob (to replace it with).
    let video: String
    let videoBlob: String
    let otherVideoBlob: String
    let conversion: String
    let conversionBlob: String
    let otherConversionBlob: String
    let conversionBlobs: [String]
    /// Every shard: which of them a command reads depends on the split, so cases damage them all.
    let shardBlobs: [String]
    let sidecarBlob: String
    let model: String
    let weightsBlob: String
    let transcodeRun: String
    let tileRun: String
    let keyFile: URL
  }

  func made() async throws -> Made {
    if building == nil { building = Task { try Self.build() } }
    return try await building!.value
  }

  /// A fresh private copy of the catalog for one test.
  func copy() async throws -> (PleuraCLI, Made) {
    let made = try await made()
    let cli = PleuraCLI()
    try FileManager.default.copyItem(at: made.catalog, to: cli.catalog)
    return (cli, made)
  }

  /// The fixture's folder, removed when the test process exits.
  nonisolated(unsafe) private static var folder: URL?

  static func build() throws -> Made {
    let cli = PleuraCLI()
    folder = cli.folder
    atexit {
      if let folder = PipelineCatalog.folder { try? FileManager.default.removeItem(at: folder) }
    }
    func step(_ arguments: [String]) throws {
      let result = try cli.run(arguments)
      guard result.status == 0 else {
        throw FixtureError("pleura \(arguments.joined(separator: " ")): \(result.stderr)")
      }
    }
    try step(["init", "--site-name", "Integrity Hospital"])
    try step([
      "synthesize", "--patients", "6", "--min-seconds", "2.05", "--max-seconds", "2.2", "--seed", "21",
    ])
    try step(["transcode", "--all", "--preset", "ultrafast"])
    try step(["dataset", "build", "demo"])
    try step(["split", "demo@1"])
    try step(["train", "demo@1", "--width", "0.03125", "--epochs", "1", "--batch", "16", "--threads", "1"])
    let model = try SQLiteRows.fetch(cli.catalog, "SELECT id, weights_sha256 FROM model")[0]
    try step(["evaluate", model[0], "--bootstrap", "20", "--threads", "1"])
    let videos = try SQLiteRows.fetch(
      cli.catalog,
      "SELECT v.id, v.blob_sha256, c.id, c.blob_sha256 FROM source_video v "
        + "JOIN conversion c ON c.source_video_id = v.id ORDER BY v.file_name")
    let shards = try SQLiteRows.fetch(cli.catalog, "SELECT DISTINCT shard_sha256 FROM cube ORDER BY rowid")
    let summary = try SQLiteRows.fetch(cli.catalog, "SELECT summary_json FROM dataset")[0][0]
    let sidecar = try #require(
      summary.range(of: #""sidecar":"([0-9a-f]{64})""#, options: .regularExpression).map {
        String(summary[$0].dropFirst(11).dropLast())
      })
    let runs = try SQLiteRows.fetch(
      cli.catalog, "SELECT plugin, id FROM run WHERE status = 'succeeded' ORDER BY started_at")
    let keyFile = cli.folder.appendingPathComponent("site.key")
    try Data((0..<32).map { UInt8($0 * 7 + 1) }).write(to: keyFile)
    chmod(keyFile.path, 0o600)
    return Made(
      folder: cli.folder, video: videos[0][0], videoBlob: videos[0][1], otherVideoBlob: videos[1][1],
      conversion: videos[0][2], conversionBlob: videos[0][3], otherConversionBlob: videos[1][3],
      conversionBlobs: videos.map { $0[3] }, shardBlobs: shards.map { $0[0] }, sidecarBlob: sidecar,
      model: model[0],
      weightsBlob: model[1], transcodeRun: try #require(runs.first { $0[0] == "transcode" })[1],
      tileRun: try #require(runs.first { $0[0] == "tile" })[1], keyFile: keyFile)
  }
}
