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

  /// Each table as JSON, for writing.
  func encodedFiles() throws -> [(name: String, data: Data)] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return [
      ("site.json", try encoder.encode(sites)), ("blob.json", try encoder.encode(blobs)),
      ("patient.json", try encoder.encode(patients)), ("source_video.json", try encoder.encode(sourceVideos)),
      ("conversion.json", try encoder.encode(conversions)),
      ("roi_annotation.json", try encoder.encode(roiAnnotations)),
      ("dataset.json", try encoder.encode(datasets)), ("cube.json", try encoder.encode(cubes)),
      ("split.json", try encoder.encode(splits)),
      ("split_assignment.json", try encoder.encode(splitAssignments)),
      ("run.json", try encoder.encode(runs)), ("run_edge.json", try encoder.encode(runEdges)),
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
