import GRDB

/// A blob that some entity references; its bytes live in the ``BlobStore``.
public struct BlobRecord: CatalogRecord, Equatable {
  public static let databaseTableName = "blob"
  public enum Columns {
    public static let sha256 = Column("sha256")
  }

  public var sha256: String
  public var size: Int64
  /// False when only the hash is known here: the bytes stayed at the site that exported the row.
  public var stored: Bool
  public var createdAt: String

  public init(_ blob: StoredBlob, stored: Bool = true, createdAt: String = Timestamp.now()) {
    sha256 = blob.sha256
    size = blob.size
    self.stored = stored
    self.createdAt = createdAt
  }

  /// Records the blob (its bytes are in the store) unless it is already known; a blob known only
  /// by hash becomes stored, with the size of its bytes (the one an imported row claimed was
  /// never checked).
  public static func register(_ blob: StoredBlob, in db: Database) throws {
    try BlobRecord(blob).insert(db, onConflict: .ignore)
    try db.execute(
      sql: "UPDATE blob SET stored = 1, size = ? WHERE sha256 = ? AND stored = 0",
      arguments: [blob.size, blob.sha256])
  }
}
