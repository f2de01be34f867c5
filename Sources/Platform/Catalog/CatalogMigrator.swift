import GRDB

/// Applies the SQL files of `migrations/` (embedded in the binary) in file-name order, each in
/// its own transaction together with GRDB's bookkeeping row. A landed migration is never edited;
/// later changes come as new files.
enum CatalogMigrator {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    for migration in EmbeddedResources.migrations {
      let identifier = String(migration.name.dropLast(".sql".count))
      let sql = migration.text
      migrator.registerMigration(identifier) { db in try db.execute(sql: sql) }
    }
    return migrator
  }

  /// The identifiers this binary knows, oldest first.
  static var knownIdentifiers: [String] { migrator.migrations }

  /// The schema version a catalog or bundle records: the number of the newest migration.
  static var schemaVersion: Int {
    Int(knownIdentifiers.last?.prefix(while: \.isNumber) ?? "0") ?? 0
  }

  /// Migrations recorded in the database that this binary does not know: the catalog is newer.
  static func unknownApplied(_ db: Database) throws -> [String] {
    guard try db.tableExists("grdb_migrations") else { return [] }
    let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
    let known = Set(knownIdentifiers)
    return applied.filter { !known.contains($0) }.sorted()
  }
}
