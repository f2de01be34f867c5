import GRDB

/// Record types map snake_case columns to camelCase properties in one place.
public protocol CatalogRecord: Codable, FetchableRecord, PersistableRecord, Sendable {}

extension CatalogRecord {
  public static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy {
    .convertFromSnakeCase
  }
  public static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
}
