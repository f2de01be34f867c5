import GRDB

/// A site: the catalog's own (created at init) or one whose bundle was imported.
public struct Site: CatalogRecord, Equatable {
  public static let databaseTableName = "site"
  public enum Columns {
    public static let id = Column("id")
    public static let isLocal = Column("is_local")
    public static let uuid = Column("uuid")
  }

  public var id: String
  public var name: String
  public var uuid: String
  public var isLocal: Bool
  public var createdAt: String

  public init(id: String, name: String, uuid: String, isLocal: Bool, createdAt: String) {
    self.id = id
    self.name = name
    self.uuid = uuid
    self.isLocal = isLocal
    self.createdAt = createdAt
  }
}
