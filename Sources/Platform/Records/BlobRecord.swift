import GRDB

/// A blob that some entity references; its bytes live in the ``BlobStore``.
public struct BlobRecord: CatalogRecord, Equatable {
  public static let databaseTableName = "blob"
  public enum Columns {
    public static let sha256 = Column("sha256")
  }

  public var sha256: String
  public var size: Int64
  public var createdAt: String

  public init(_ blob: StoredBlob, createdAt: String = Timestamp.now()) {
    sha256 = blob.sha256
    size = blob.size
    self.createdAt = createdAt
  }

  /// Records the blob unless it is already known (blobs are shared by content).
  public static func register(_ blob: StoredBlob, in db: Database) throws {
    try BlobRecord(blob).insert(db, onConflict: .ignore)
  }
}
