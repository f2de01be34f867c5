import Foundation
import Primitives

/// Problems opening or addressing a catalog. Each case reads as one clear sentence.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
  case notFound(path: String)
  case alreadyExists(path: String)
  case notACatalog(path: String)
  case newerSchema(path: String, unknownMigrations: [String])
  case unknownID(String)
  case ambiguousID(String, matches: [String])
  case missingLocalSite(path: String)
  case invalidSiteName(String)
  case readOnlyWithPendingLog(path: String)
  case readOnlyNeedsMigration(path: String)
  /// Stands in for GRDB's row-decoding errors, which quote the row (it may hold a patient code).
  case unreadableRow

  public var description: String {
    switch self {
    case .notFound(let path):
      "no catalog at \(path): run `pleura init` first, or pass --catalog DIR"
    case .alreadyExists(let path):
      "a catalog already exists at \(path)"
    case .notACatalog(let path):
      "\(path) exists but is not a Pleura catalog (no catalog.sqlite and objects/ inside)"
    case .newerSchema(let path, let unknown):
      "the catalog at \(path) was written by a newer Pleura (unknown migrations: "
        + unknown.joined(separator: ", ") + "); upgrade Pleura to open it"
    case .unknownID(let id):
      "no entity with id \(id) in this catalog"
    case .ambiguousID(let id, let matches):
      "id \(id) is ambiguous: it matches \(matches.prefix(5).joined(separator: ", "))"
    case .readOnlyWithPendingLog(let path):
      "the catalog folder \(path) is read-only and catalog.sqlite-wal there holds changes not yet in "
        + "catalog.sqlite, which SQLite can only read with write access; make the folder writable once"
    case .readOnlyNeedsMigration(let path):
      "the catalog at \(path) was written by an older Pleura and is read-only, so it cannot be "
        + "upgraded; make it writable once"
    case .unreadableRow:
      "the catalog holds a row this Pleura cannot read (damaged, or written by another version); run `pleura verify`"
    case .missingLocalSite(let path):
      "the catalog at \(path) has no site of its own; it is damaged"
    case .invalidSiteName(let name):
      "site name '\(name.escapedForMessage)' must be 1 to 200 printable characters (it travels in every bundle)"
    }
  }
}
