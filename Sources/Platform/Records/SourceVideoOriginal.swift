import GRDB

/// The hash of the original a source video was made from, when Pleura stored a rewritten copy
/// (de-identified DICOM, masked re-encode) instead of the original's bytes.
public struct SourceVideoOriginal: CatalogRecord, Equatable {
  public static let databaseTableName = "source_video_original"
  public enum Columns {
    public static let sourceVideoId = Column("source_video_id")
    public static let siteId = Column("site_id")
    public static let originalSha256 = Column("original_sha256")
  }

  public var sourceVideoId: String
  public var siteId: String
  public var originalSha256: String

  public init(sourceVideoId: String, siteId: String, originalSha256: String) {
    self.sourceVideoId = sourceVideoId
    self.siteId = siteId
    self.originalSha256 = originalSha256
  }
}
