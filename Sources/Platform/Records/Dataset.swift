import GRDB

/// A derived cube dataset, `name@version`, immutable once built.
public struct Dataset: CatalogRecord, Equatable {
  public static let databaseTableName = "dataset"
  public enum Columns {
    public static let id = Column("id")
    public static let siteId = Column("site_id")
    public static let name = Column("name")
    public static let version = Column("version")
  }

  public var id: String
  public var siteId: String
  public var name: String
  public var version: Int
  public var recipeJson: String
  /// Counts, shards and skipped videos with reasons (see the tile plugin).
  public var summaryJson: String
  public var createdAt: String

  public init(
    id: String, siteId: String, name: String, version: Int, recipeJson: String, summaryJson: String,
    createdAt: String
  ) {
    self.id = id
    self.siteId = siteId
    self.name = name
    self.version = version
    self.recipeJson = recipeJson
    self.summaryJson = summaryJson
    self.createdAt = createdAt
  }

  public var reference: String { "\(name)@\(version)" }
}
