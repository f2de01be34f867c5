import GRDB

/// A workbench account. Roles nest: a reviewer may do what a curator does and adjudicate; an
/// admin may also manage accounts.
public struct WorkbenchUser: CatalogRecord, Equatable {
  public static let databaseTableName = "workbench_user"
  public enum Columns {
    public static let name = Column("name")
  }

  public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case curator, reviewer, admin

    var rank: Int {
      switch self {
      case .curator: 0
      case .reviewer: 1
      case .admin: 2
      }
    }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
  }

  public var name: String
  public var role: Role
  /// `pbkdf2-sha256$<iterations>$<salt>$<key>` (see the server's `PasswordHash`).
  public var passwordHash: String
  public var createdAt: String

  public init(name: String, role: Role, passwordHash: String, createdAt: String) {
    self.name = name
    self.role = role
    self.passwordHash = passwordHash
    self.createdAt = createdAt
  }
}

/// A curator's free-text note on a video. Notes stay at the site: no bundle carries them.
public struct VideoNote: CatalogRecord, Equatable {
  public static let databaseTableName = "video_note"
  public enum Columns {
    public static let sourceVideoId = Column("source_video_id")
    public static let createdAt = Column("created_at")
  }

  public var id: String
  public var sourceVideoId: String
  public var author: String
  public var text: String
  public var createdAt: String

  public init(id: String, sourceVideoId: String, author: String, text: String, createdAt: String) {
    self.id = id
    self.sourceVideoId = sourceVideoId
    self.author = author
    self.text = text
    self.createdAt = createdAt
  }
}

/// The thumbnail a workbench page shows for a video: a blob made once, on first use.
public struct VideoThumbnail: CatalogRecord, Equatable {
  public static let databaseTableName = "video_thumbnail"

  public var sourceVideoId: String
  public var blobSha256: String
  public var createdAt: String

  public init(sourceVideoId: String, blobSha256: String, createdAt: String) {
    self.sourceVideoId = sourceVideoId
    self.blobSha256 = blobSha256
    self.createdAt = createdAt
  }
}
