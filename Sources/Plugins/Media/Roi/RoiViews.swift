import GRDB
import Platform

/// The current ROI of every video, as `pleura roi export` lists them.
public enum RoiViews {
  public struct Row: Encodable, Sendable {
    public var video: String
    public var fileName: String
    public var version: Int
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public var frameStart: Int?
    public var frameEnd: Int?
    public var author: String
    public var conversion: String?
    /// How sure an automatic suggestion was; nil for ROIs drawn by people or set by synthesize.
    public var confidence: Double?
    public var lowConfidence: Bool?
  }

  /// Videos in the order they were added; those without an ROI are left out.
  public static func current(_ catalog: Catalog) throws -> [Row] {
    try catalog.database.read { db in
      try SourceVideo.order(Column("created_at")).fetchAll(db).compactMap { video in
        guard let roi = try RoiAnnotation.current(forVideo: video.id, in: db) else { return nil }
        return Row(
          video: video.id, fileName: video.fileName, version: roi.version, x: roi.x, y: roi.y,
          width: roi.width, height: roi.height, frameStart: roi.frameStart, frameEnd: roi.frameEnd,
          author: roi.author, conversion: roi.conversionId, confidence: roi.confidence,
          lowConfidence: roi.confidence.map(RoiConfidence.isLow))
      }
    }
  }
}
