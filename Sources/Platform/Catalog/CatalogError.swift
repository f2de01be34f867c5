import Foundation
import GRDB
import Primitives

/// Problems opening or addressing a catalog. Each case reads as one clear sentence.
public enum CatalogError: Error, CustomStringConvertible, Equatable {
  case notFound(path: String)
  case alreadyExists(path: String)
  case notACatalog(path: String)
  case newerSchema(path: String, unknownMigrations: [String])
  case unknownID(String)
  /// Text without a kind prefix (`vid_`, `ds_`, ...).
  case notAnID(String)
  /// Neither an id nor a name of one of `kinds` (`pleura show scan.mp4` with no such file).
  case notAName(String, kinds: [EntityKind])
  /// A file name that several source videos have.
  case ambiguousName(String, matches: [String])
  /// A prefix shorter than the kind prefix and 4 characters, which is too easy to mistype.
  case shortID(String, kindPrefix: String, matches: [String])
  case ambiguousID(String, matches: [String])
  /// An id of another kind than the command takes (`pleura evaluate vid_...`).
  case wrongKind(String, is: EntityKind, expected: [EntityKind])
  case missingLocalSite(path: String)
  case invalidSiteName(String)
  case readOnlyWithPendingLog(path: String)
  case readOnlyNeedsMigration(path: String)
  /// Stands in for GRDB's row-decoding errors, which quote the row (it may hold a patient code).
  case unreadableRow

  /// Whether the command line was wrong (exit 2) rather than the catalog or the work (exit 1).
  public var isUsageError: Bool {
    switch self {
    case .ambiguousID, .shortID, .wrongKind, .notAnID, .notAName, .ambiguousName: true
    default: false
    }
  }

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
      if let kind = EntityKind.of(id: id) {
        "no \(kind.displayName) with id \(id.escapedForMessage) in this catalog"
          + (kind.listing.map { " (see `\($0)`)" } ?? "")
      } else {
        "no entity with id \(id.escapedForMessage) in this catalog"
      }
    case .notAnID(let text):
      "'\(text.escapedForMessage)' is not an entity id (ids are a kind prefix and hex digits, e.g. "
        + "vid_3f9a0c12d4e5b6a7; kinds: "
        + EntityKind.allCases.map(\.idPrefix).joined(separator: ", ") + ")"
    case .notAName(let text, let kinds):
      "no "
        + (kinds.count == EntityKind.allCases.count
          ? "entity" : kinds.map(\.displayName).joined(separator: " or "))
        + " named '\(text.escapedForMessage)' in this catalog: give "
        + ListWording.or(
          ["an id (e.g. vid_3f9a0c12)"] + (kinds.contains(.sourceVideo) ? ["a video's file name"] : [])
            + (kinds.contains(.dataset) ? ["a dataset's NAME@V"] : []))
    case .ambiguousName(let name, let matches):
      "'\(name.escapedForMessage)' is the file name of \(matches.count) videos: "
        + matches.prefix(5).joined(separator: ", ") + (matches.count > 5 ? " and more" : "") + "; give the id"
    case .shortID(let id, let prefix, let matches):
      "id \(id.escapedForMessage) is too short to be taken alone (it matches \(matches.joined(separator: ", "))); "
        + "give at least 4 characters after '\(prefix)_'"
    case .ambiguousID(let id, let matches):
      "id \(id.escapedForMessage) is ambiguous: it matches "
        + (matches.count > 5
          ? matches.prefix(5).joined(separator: ", ") + " and more" : matches.joined(separator: ", "))
        + "; give more of the id"
    case .wrongKind(let id, let kind, let expected):
      "\(id) is \(kind.withArticle), not " + expected.map(\.withArticle).joined(separator: " or ")
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

/// "a, b or c".
enum ListWording {
  static func or(_ items: [String]) -> String {
    guard items.count > 1, let last = items.last else { return items.first ?? "" }
    return items.dropLast().joined(separator: ", ") + " or " + last
  }
}

extension CatalogError {
  /// Whether `error` is GRDB's failure to decode a row. Its description quotes the row's values,
  /// which may hold a patient code: report ``unreadableRow`` instead.
  public static func isUnreadableRow(_ error: any Error) -> Bool { error is RowDecodingError }
}
