import Foundation
import GRDB

@testable import Platform

/// A catalog in a fresh temporary folder, removed by `cleanUp()`.
struct TestCatalog {
  let folder: URL
  let catalog: Catalog

  init() throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent("pleura-test-\(UUID().uuidString)")
    catalog = try Catalog.create(at: folder.appendingPathComponent("catalog"), siteName: "test-site")
  }

  func cleanUp() { try? FileManager.default.removeItem(at: folder) }

  /// Every row of every table, as text: two snapshots are equal when nothing changed.
  func snapshot() throws -> [String] {
    try catalog.database.read { db in
      var lines: [String] = []
      let tables = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      for table in tables {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
          lines.append("\(table): \(row.description)")
        }
      }
      return lines
    }
  }
}
