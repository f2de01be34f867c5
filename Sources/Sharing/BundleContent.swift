import Foundation
import Platform

/// The catalog rows a bundle carries, one JSON file per entity kind under `data/catalog/`
/// (arrays of objects with the record's fields in camelCase), plus the blobs under
/// `data/blobs/<sha256>` for those whose bytes travel.
public struct BundleContent: Codable, Sendable {
  public var sites: [Site] = []
  public var patients: [Patient] = []
  public var sourceVideos: [SourceVideo] = []
  public var conversions: [Conversion] = []
  public var roiAnnotations: [RoiAnnotation] = []
  /// Every label version of the videos (authors pseudonymised with the export).
  public var labelAnnotations: [LabelAnnotation] = []
  public var datasets: [Dataset] = []
  public var cubes: [Cube] = []
  public var splits: [Split] = []
  public var splitAssignments: [SplitAssignment] = []
  public var models: [Model] = []
  public var evaluations: [Evaluation] = []
  public var runs: [Run] = []
  public var runEdges: [RunEdge] = []
  public var blobs: [BlobRecord] = []

  public init() {}

  /// The tables under `data/catalog/`, in the order an importer reads and writes them: each
  /// after the tables its rows refer to.
  static var tables: [BundleTable] {
    [
      BundleTable("site.json", \.sites), BundleTable("blob.json", \.blobs),
      BundleTable("patient.json", \.patients), BundleTable("source_video.json", \.sourceVideos),
      BundleTable("conversion.json", \.conversions), BundleTable("roi_annotation.json", \.roiAnnotations),
      // Labels have versions since schema 9; bundles written before have no such file.
      BundleTable("label_annotation.json", \.labelAnnotations, addedLater: true),
      BundleTable("dataset.json", \.datasets), BundleTable("cube.json", \.cubes),
      BundleTable("split.json", \.splits), BundleTable("split_assignment.json", \.splitAssignments),
      // Models travel since `--with-models`; bundles written before have neither file.
      BundleTable("model.json", \.models, addedLater: true),
      BundleTable("evaluation.json", \.evaluations, addedLater: true),
      BundleTable("run.json", \.runs), BundleTable("run_edge.json", \.runEdges),
    ]
  }

  /// File names under `data/catalog/`, in the order of `tables`.
  static var fileNames: [String] { tables.map(\.fileName) }

  /// Each table as JSON, for writing, with its row count.
  func encodedFiles() throws -> [(name: String, data: Data, rows: Int)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return try Self.tables.map { table in
      (table.fileName, try table.encode(self, encoder), table.rowCount(self))
    }
  }

  /// Bag-info labels Pleura writes and reads.
  enum InfoKey {
    static let siteUUID = "Pleura-Site-UUID"
    static let siteName = "Source-Organization"
    static let version = "Pleura-Version"
    static let schema = "Pleura-Schema-Version"
    static let dataset = "External-Identifier"
    static let pseudonymized = "Pleura-Pseudonymized"
  }
}

extension BundleContent {
  /// Gives every video without any label version its version 1, the label it was ingested with,
  /// as the migration did for the videos already here (a bundle written before labels had
  /// versions carries none).
  mutating func addIngestLabelVersions() {
    let labelled = Set(labelAnnotations.map(\.sourceVideoId))
    for video in sourceVideos where !labelled.contains(video.id) {
      labelAnnotations.append(LabelAnnotation.ingestVersion(of: video))
    }
  }

  /// The shards and sidecars of the datasets (their summaries list the sidecars) and the cubes' shards.
  var datasetBlobs: Set<String> {
    Set(cubes.map(\.shardSha256)).union(shardFiles.flatMap { [$0.shard, $0.sidecar] })
  }

  /// The sidecar CSVs of the datasets' shards: text that names each cube's patient by code.
  var datasetSidecars: Set<String> { Set(shardFiles.map(\.sidecar)) }

  /// Each shard with its sidecar, as the datasets' summaries list them.
  private var shardFiles: [(shard: String, sidecar: String)] {
    struct Summary: Decodable {
      struct Shard: Decodable {
        var shard: String
        var sidecar: String
      }
      var shards: [Shard]
    }
    return datasets.flatMap { dataset in
      let summary = try? JSONDecoder().decode(Summary.self, from: Data(dataset.summaryJson.utf8))
      return (summary?.shards ?? []).map { ($0.shard, $0.sidecar) }
    }
  }

  /// The models' weights and their evaluations' per-cube scores.
  var modelBlobs: Set<String> {
    Set(models.map(\.weightsSha256)).union(evaluations.compactMap(\.scoresSha256))
  }

  /// Which row a blob belongs to, for a message about it.
  func owner(of sha256: String) -> String {
    if let cube = cubes.first(where: { $0.shardSha256 == sha256 }) { return "the shard of cube \(cube.id)" }
    if datasetSidecars.contains(sha256) {
      return "a cube sidecar of \(datasets.map(\.reference).joined(separator: ", "))"
    }
    if let model = models.first(where: { $0.weightsSha256 == sha256 }) {
      return "the weights of model \(model.id)"
    }
    if let evaluation = evaluations.first(where: { $0.scoresSha256 == sha256 }) {
      return "the scores of evaluation \(evaluation.id)"
    }
    if let conversion = conversions.first(where: { $0.blobSha256 == sha256 }) {
      return "conversion \(conversion.id)"
    }
    if let video = sourceVideos.first(where: { $0.blobSha256 == sha256 }) {
      return "source video \(video.id)"
    }
    return "no row of this bundle"
  }

  /// Every blob a row of the bundle references.
  var referencedBlobs: Set<String> {
    datasetBlobs.union(modelBlobs).union(conversions.map(\.blobSha256)).union(sourceVideos.map(\.blobSha256))
  }
}
