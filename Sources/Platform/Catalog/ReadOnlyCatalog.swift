import Foundation
import GRDB

/// Opening a catalog that cannot be written. SQLite in WAL mode keeps a shared-memory file
/// (`catalog.sqlite-shm`) beside the database, which a read-only folder does not let it create;
/// when no write-ahead log holds changes, the database file is all there is, and SQLite is told it
/// cannot change (`immutable`), so it needs neither that file nor locks.
enum ReadOnlyCatalog {
  static func openPool(at databaseURL: URL, root: URL) throws -> DatabasePool {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.foreignKeysEnabled = true
    let log = URL(fileURLWithPath: databaseURL.path + "-wal")
    let logSize =
      (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? NSNumber)?.intValue ?? 0
    // A log with changes in it must be read through SQLite's shared memory (mode=ro); without one,
    // the database is complete and immutable.
    let mode = logSize > 0 ? "mode=ro" : "immutable=1"
    let uri = "file:" + percentEncoded(databaseURL.path) + "?" + mode
    let pool: DatabasePool
    do {
      pool = try DatabasePool(path: uri, configuration: configuration)
      _ = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
    } catch let error as DatabaseError where logSize > 0 {
      _ = error
      throw CatalogError.readOnlyWithPendingLog(path: root.path)
    }
    try pool.read { db in
      let unknown = try CatalogMigrator.unknownApplied(db)
      guard unknown.isEmpty else {
        throw CatalogError.newerSchema(path: root.path, unknownMigrations: unknown)
      }
      guard try CatalogMigrator.migrator.hasCompletedMigrations(db) else {
        throw CatalogError.readOnlyNeedsMigration(path: root.path)
      }
    }
    return pool
  }

  /// A path as a URI path: `%`, `?` and `#` would otherwise end or change it.
  static func percentEncoded(_ path: String) -> String {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "%?#")
    return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
  }
}
