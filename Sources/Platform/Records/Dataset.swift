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

extension Dataset {
  /// Finds `NAME@V` (or `NAME` for the newest version); local site first unless `site` is given.
  public static func find(_ reference: String, in db: Database) throws -> Dataset {
    let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
    var request = Dataset.filter(Columns.name == parts[0])
    if parts.count == 2 {
      guard let version = Int(parts[1]) else { throw DatasetLookupError.badReference(reference) }
      request = request.filter(Columns.version == version)
    }
    let candidates = try request.fetchAll(db)
    let local = try String.fetchOne(db, sql: "SELECT id FROM site WHERE is_local = 1")
    let ordered = candidates.sorted { a, b in
      (a.siteId == local ? 0 : 1, -a.version) < (b.siteId == local ? 0 : 1, -b.version)
    }
    guard let found = ordered.first else {
      if EntityKind.of(id: reference) == .dataset, let byID = try Dataset.fetchOne(db, key: reference) {
        return byID
      }
      throw DatasetLookupError.notFound(reference)
    }
    return found
  }
}

public enum DatasetLookupError: Error, CustomStringConvertible {
  case badReference(String)
  case notFound(String)

  public var description: String {
    switch self {
    case .badReference(let text): "'\(text)' is not NAME@VERSION"
    case .notFound(let text): "no dataset \(text) in this catalog (see `pleura dataset list`)"
    }
  }
}
