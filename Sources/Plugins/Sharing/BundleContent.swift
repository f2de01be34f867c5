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
  public var datasets: [Dataset] = []
  public var cubes: [Cube] = []
  public var splits: [Split] = []
  public var splitAssignments: [SplitAssignment] = []
  public var runs: [Run] = []
  public var runEdges: [RunEdge] = []
  public var blobs: [BlobRecord] = []

  public init() {}

  /// File names under `data/catalog/`, in the order an importer reads and writes them.
  static let fileNames = [
    "site.json", "blob.json", "patient.json", "source_video.json", "conversion.json", "roi_annotation.json",
    "dataset.json", "cube.json", "split.json", "split_assignment.json", "run.json", "run_edge.json",
  ]

  /// Each table as JSON, for writing, with its row count.
  func encodedFiles() throws -> [(name: String, data: Data, rows: Int)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func file<T: Encodable>(_ name: String, _ rows: [T]) throws -> (name: String, data: Data, rows: Int) {
      (name, try encoder.encode(rows), rows.count)
    }
    return [
      try file("site.json", sites), try file("blob.json", blobs), try file("patient.json", patients),
      try file("source_video.json", sourceVideos), try file("conversion.json", conversions),
      try file("roi_annotation.json", roiAnnotations), try file("dataset.json", datasets),
      try file("cube.json", cubes), try file("split.json", splits),
      try file("split_assignment.json", splitAssignments), try file("run.json", runs),
      try file("run_edge.json", runEdges),
    ]
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
  /// The shards and sidecars of the datasets (their summaries list the sidecars) and the cubes' shards.
  var datasetBlobs: Set<String> {
    struct Summary: Decodable {
      struct Shard: Decodable {
        var shard: String
        var sidecar: String
      }
      var shards: [Shard]
    }
    var shas = Set(cubes.map(\.shardSha256))
    for dataset in datasets {
      let summary = try? JSONDecoder().decode(Summary.self, from: Data(dataset.summaryJson.utf8))
      for shard in summary?.shards ?? [] { shas.formUnion([shard.shard, shard.sidecar]) }
    }
    return shas
  }

  /// Every blob a row of the bundle references.
  var referencedBlobs: Set<String> {
    datasetBlobs.union(conversions.map(\.blobSha256)).union(sourceVideos.map(\.blobSha256))
  }
}
