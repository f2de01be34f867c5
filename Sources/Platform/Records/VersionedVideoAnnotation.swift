import GRDB

/// A video's annotation kept as numbered versions (labels and ROIs): each new version supersedes
/// the latest, and an adjudicated version, when there is one, outranks later unadjudicated ones.
/// Both tables share the columns this reads (`source_video_id`, `version`, `adjudicated`).
public protocol VersionedVideoAnnotation: CatalogRecord {}

extension VersionedVideoAnnotation {
  private static func ofVideo(_ videoID: String) -> QueryInterfaceRequest<Self> {
    filter(Column("source_video_id") == videoID)
  }

  /// The current version: the latest adjudicated one if there is one, else the latest.
  public static func current(forVideo videoID: String, in db: Database) throws -> Self? {
    try ofVideo(videoID).order(Column("adjudicated").desc, Column("version").desc).fetchOne(db)
  }

  /// The version with the highest number (what the next version supersedes).
  public static func latest(forVideo videoID: String, in db: Database) throws -> Self? {
    try ofVideo(videoID).order(Column("version").desc).fetchOne(db)
  }

  /// Every version for a video, oldest first.
  public static func history(forVideo videoID: String, in db: Database) throws -> [Self] {
    try ofVideo(videoID).order(Column("version")).fetchAll(db)
  }
}
