import Foundation
import GRDB
import Platform

/// The whole state of a catalog as sorted text: equal snapshots mean the catalog is exactly as
/// it was (the rule every refusal is checked against).
public enum CatalogSnapshot {
  /// Every row of every table and every regular file under objects/ with its size, sorted; the
  /// catalog at `root` is opened read-only (no `pleura` process needs to be running).
  public static func take(_ root: URL) throws -> [String] {
    var configuration = Configuration()
    configuration.readonly = true
    let queue = try DatabaseQueue(
      path: root.appendingPathComponent("catalog.sqlite").path, configuration: configuration)
    return (try queue.read { db in try rows(db) } + files(under: root.appendingPathComponent("objects")))
      .sorted()
  }

  /// The same of a catalog this process has open.
  public static func take(_ catalog: Catalog) throws -> [String] {
    (try catalog.database.read { db in try rows(db) }
      + files(under: catalog.root.appendingPathComponent("objects"))).sorted()
  }

  /// Every row of every table, as `table: row`, table by table in rowid order.
  public static func rows(_ db: Database) throws -> [String] {
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

  /// Every regular file below `folder` (staging included), as `file: PATH SIZE`, sorted.
  public static func files(under folder: URL) throws -> [String] {
    var lines: [String] = []
    if let enumerator = FileManager.default.enumerator(atPath: folder.path) {
      for case let path as String in enumerator {
        let attributes = try FileManager.default.attributesOfItem(
          atPath: folder.appendingPathComponent(path).path)
        if attributes[.type] as? FileAttributeType == .typeRegular {
          lines.append("file: \(path) \(attributes[.size] ?? 0)")
        }
      }
    }
    return lines.sorted()
  }
}
