import Foundation
import GRDB
import Platform

/// The blobs an import moved into the store (and the fan-out folders it made for them), to be
/// taken out again when the import fails.
///
/// Another import of the same bundle may have committed rows that name these very bytes since
/// they were moved in, so a blob is removed only while no run can be between writing a blob and
/// committing it (the maintenance lock `gc` takes) and only when no committed row names it.
/// Otherwise the bytes stay, and `gc` removes them once nothing names them.
struct MovedBlobs {
  var blobs: [String] = []
  var folders: Set<URL> = []

  func removeUnreferenced(from catalog: Catalog) {
    guard !blobs.isEmpty || !folders.isEmpty else { return }
    guard let lock = try? catalog.attemptMaintenanceLock() else { return }
    defer { withExtendedLifetime(lock) {} }
    let named = blobs
    guard
      let referenced = try? catalog.database.read({ db in
        try String.fetchSet(
          db, sql: "SELECT sha256 FROM blob WHERE stored = 1 AND sha256 IN (SELECT value FROM json_each(?))",
          arguments: [String(decoding: try JSONEncoder().encode(named), as: UTF8.self)])
      })
    else { return }
    for sha in blobs where !referenced.contains(sha) { try? catalog.blobs.remove(sha) }
    // rmdir(2) removes a folder only while it is empty: one that holds a blob stays.
    for folder in folders { rmdir(folder.path) }
  }
}
