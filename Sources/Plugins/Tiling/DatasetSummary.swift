import Platform

/// What a dataset holds, stored as its `summary_json` and printed by `pleura dataset show`.
public struct DatasetSummary: Codable, Sendable, Equatable {
  public struct Shard: Codable, Sendable, Equatable {
    public var conversion: String
    public var video: String
    public var shard: String
    public var sidecar: String
    public var cubes: Int
  }

  public struct VideoTiles: Codable, Sendable, Equatable {
    public var video: String
    public var fileName: String
    public var patient: String
    public var label: String
    public var roiVersion: Int
    public var tilesPerClip: Int
    public var clips: Int
    public var cubes: Int
    /// The label version and the ROI and label entities the video was cut with (absent in
    /// datasets built before labels had versions).
    public var labelVersion: Int?
    public var roiId: String?
    public var labelId: String?
    /// Cubes cut although part of them lies outside the video's valid image region, and cubes not cut
    /// because most of them does (nil in datasets built before these were counted).
    public var cubesPartlyOutside: Int?
    public var cubesSkippedOutside: Int?
  }

  public var cubes: Int
  public var perLabel: [String: Int]
  public var perPatient: [String: Int]
  public var videos: [VideoTiles]
  public var shards: [Shard]
  public var skipped: [TilePlan.Skipped]
}
