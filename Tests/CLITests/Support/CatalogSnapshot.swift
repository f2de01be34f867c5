import Foundation
import GRDB
import Platform

/// Every row of every table and every file under objects/: equal snapshots mean the catalog is
/// exactly as it was.
enum CatalogSnapshot {
  static func take(_ root: URL) throws -> [String] {
    var lines: [String] = []
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(
      path: root.appendingPathComponent("catalog.sqlite").path, configuration: configuration)
    try queue.read { db in
      let tables = try String.fetchAll(
        db,
        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      for table in tables {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
          lines.append("\(table): \(row.description)")
        }
      }
    }
    let objects = root.appendingPathComponent("objects")
    if let enumerator = FileManager.default.enumerator(atPath: objects.path) {
      for case let path as String in enumerator {
        let attributes = try FileManager.default.attributesOfItem(
          atPath: objects.appendingPathComponent(path).path)
        if attributes[.type] as? FileAttributeType == .typeRegular {
          lines.append("file: \(path) \(attributes[.size] ?? 0)")
        }
      }
    }
    return lines.sorted()
  }
}
