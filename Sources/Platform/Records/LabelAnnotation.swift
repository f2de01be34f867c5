import GRDB

/// One version of a video's lung-sliding label. Like ROIs, versions are never updated or deleted:
/// a new label adds version n+1 that supersedes version n. Version 1 is the label given at ingest.
///
/// The *current* label is the latest adjudicated version (a reviewer's decision) if the video has
/// one, else the latest version: a curator's later label is kept in the history but does not
/// overturn a reviewer until another reviewer decides again.
public struct LabelAnnotation: VersionedVideoAnnotation, Equatable {
  public static let databaseTableName = "label_annotation"
  public enum Columns {
    public static let id = Column("id")
    public static let sourceVideoId = Column("source_video_id")
    public static let version = Column("version")
    public static let adjudicated = Column("adjudicated")
    public static let author = Column("author")
  }

  public var id: String
  public var siteId: String
  public var sourceVideoId: String
  public var version: Int
  public var label: SlidingLabel
  /// A reviewer's decision: the current label until a later adjudicated version.
  public var adjudicated: Bool
  public var author: String
  public var supersedesId: String?
  public var createdAt: String

  public init(
    id: String, siteId: String, sourceVideoId: String, version: Int, label: SlidingLabel, adjudicated: Bool,
    author: String, supersedesId: String?, createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.sourceVideoId = sourceVideoId
    self.version = version
    self.label = label
    self.adjudicated = adjudicated
    self.author = author
    self.supersedesId = supersedesId
    self.createdAt = createdAt
  }

  /// The author of every version 1: the label a video was ingested with.
  public static let ingestAuthor = "ingest"

  /// Version 1 of a video's history: the label it was ingested with. Its id is derived from the
  /// video's, so every site holding the video derives the same row (the migration, ingest and an
  /// import of a bundle written before labels had versions all make it the same way).
  public static func ingestVersion(of video: SourceVideo) -> LabelAnnotation {
    LabelAnnotation(
      id: ingestVersionID(ofVideo: video.id), siteId: video.siteId, sourceVideoId: video.id, version: 1,
      label: video.label, adjudicated: false, author: ingestAuthor, supersedesId: nil,
      createdAt: video.createdAt)
  }

  /// `lab_` followed by the video id's hex digits.
  public static func ingestVersionID(ofVideo videoID: String) -> String {
    EntityKind.label.idPrefix + "_" + videoID.drop(while: { $0 != "_" }).dropFirst()
  }

  /// The current label of a video: its current version's, or the ingest label.
  public static func currentLabel(of video: SourceVideo, in db: Database) throws -> SlidingLabel {
    try current(forVideo: video.id, in: db)?.label ?? video.label
  }
}
