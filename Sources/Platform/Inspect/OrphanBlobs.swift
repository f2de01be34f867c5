import Foundation
import GRDB

/// Blobs in the store that no row references, sorted by what explains them.
///
/// A run writes its blobs before it commits the rows naming them, so a run that failed or was
/// killed leaves unreferenced blobs behind (`gc` removes them); so does a run that found its
/// output already there. Those were written while a recorded run was active. A blob written when
/// no run the catalog knows of was active looks like the output of a run whose committed rows
/// were lost — the signature of `catalog.sqlite-wal` deleted while a command ran, which SQLite
/// cannot detect. `verify` reports those as orphans.
enum OrphanBlobs {
  struct Found {
    /// Unreferenced blobs no recorded run explains, with when they were written.
    var orphans: [(sha256: String, written: Date)]
    /// Unreferenced blobs written while a recorded run was active (left by failed runs).
    var leftovers: Int
  }

  /// Clock granularity and the time between a run's record and its first write.
  static let slack: TimeInterval = 2

  static func find(in catalog: Catalog) throws -> Found {
    let (known, windows) = try catalog.database.read { db in
      let known = Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blob"))
      let windows = try Row.fetchAll(db, sql: "SELECT started_at, ended_at FROM run").compactMap {
        row -> ClosedRange<Date>? in
        guard let start = parse(row["started_at"]) else { return nil }
        // A run still running (or never closed) may have written up to now.
        let end = (row["ended_at"] as String?).flatMap(parse) ?? Date.distantFuture
        return start.addingTimeInterval(-slack)...max(start, end).addingTimeInterval(slack)
      }
      return (known, windows)
    }
    var found = Found(orphans: [], leftovers: 0)
    for sha256 in try catalog.blobs.inventory().blobs where !known.contains(sha256) {
      let path = try catalog.blobs.url(for: sha256).path
      guard
        let written = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
      else { continue }  // removed meanwhile (gc)
      if windows.contains(where: { $0.contains(written) }) {
        found.leftovers += 1
      } else {
        found.orphans.append((sha256, written))
      }
    }
    return found
  }

  static func parse(_ text: String?) -> Date? {
    guard let text else { return nil }
    return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
  }
}
