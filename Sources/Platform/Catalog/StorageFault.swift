import Foundation
import GRDB
import Primitives

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failure of the storage under a catalog or a file a command writes (a read-only folder, a full
/// disk), told as one line that says what is wrong and where, instead of the error codes of the
/// layer that met it (SQLite's, Foundation's, errno's). Nothing is lost in these cases: SQLite rolls
/// back, and blobs written before are only referenced once a transaction commits.
public enum StorageFault {
  enum Kind { case readOnly, noSpace, cannotWrite }

  /// The line for `error` when it is a storage fault, else nil. `catalogRoot` is where to look
  /// when the error does not name a path (SQLite's do not).
  public static func describe(_ error: Error, catalogRoot: URL?) -> String? {
    guard let (kind, path) = classify(error) else { return nil }
    let place = path.map { URL(fileURLWithPath: $0) } ?? catalogRoot
    if kind == .noSpace { return noSpace(at: place, catalogRoot: catalogRoot) }
    if let place, let folder = readOnlyFolder(from: place, catalogRoot: catalogRoot) {
      return "\(describe(folder, catalogRoot: catalogRoot)) is read-only"
        + (folder == catalogRoot?.standardizedFileURL
          ? "; commands that only read it (status, verify, listings, show, lineage) still work" : "")
        + "; make it writable to run this command"
    }
    // Space may be what ran out even when the error says only "I/O error".
    if let place, let free = freeBytes(at: place), free < 1 << 20 {
      return noSpace(at: place, catalogRoot: catalogRoot)
    }
    guard kind == .readOnly, let place else { return nil }
    return "\(describe(place, catalogRoot: catalogRoot)) cannot be written (permission denied)"
  }

  /// A file inside the catalog is named by the catalog folder: the device is what matters.
  static func noSpace(at place: URL?, catalogRoot: URL?) -> String {
    guard var place = place?.standardizedFileURL else {
      return "no space left on the device; free some space and run the command again"
    }
    if let root = catalogRoot?.standardizedFileURL, place.path.hasPrefix(root.path + "/") { place = root }
    return "no space left on the device holding \(describe(place, catalogRoot: catalogRoot))"
      + "\(free(at: place).map { " (\($0) free)" } ?? ""); free some space and run the command again"
  }

  /// What kind of fault, and the path the error names, if any.
  static func classify(_ error: Error) -> (Kind, String?)? {
    switch error {
    case let error as DatabaseError:
      switch error.resultCode {
      case .SQLITE_FULL: return (.noSpace, nil)
      case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH: return (.readOnly, nil)
      case .SQLITE_IOERR: return (.cannotWrite, nil)
      default: return nil
      }
    case let error as any FileSystemCallFailure:
      guard let (path, reason) = error.fileSystemFailure else { return nil }
      return kind(ofReason: reason).map { ($0, path) }
    case let error as POSIXError:
      return kind(ofErrno: error.code.rawValue).map { ($0, nil) }
    case let error as CocoaError:
      let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? error.url?.path
      switch error.code {
      case .fileWriteOutOfSpace: return (.noSpace, path)
      case .fileWriteVolumeReadOnly, .fileWriteNoPermission: return (.readOnly, path)
      default:
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
          underlying.domain == NSPOSIXErrorDomain, let kind = kind(ofErrno: Int32(underlying.code))
        {
          return (kind, path)
        }
        return nil
      }
    default:
      let error = error as NSError
      if error.domain == NSPOSIXErrorDomain, let kind = kind(ofErrno: Int32(error.code)) {
        return (kind, error.userInfo[NSFilePathErrorKey] as? String)
      }
      return nil
    }
  }

  static func kind(ofErrno code: Int32) -> Kind? {
    switch code {
    case ENOSPC, EDQUOT: .noSpace
    case EROFS, EACCES, EPERM: .readOnly
    default: nil
    }
  }

  /// The errno text some errors carry instead of the number (strerror's words).
  static func kind(ofReason reason: String) -> Kind? {
    for code in [ENOSPC, EDQUOT, EROFS, EACCES, EPERM] where reason.contains(String(cString: strerror(code)))
    {
      return kind(ofErrno: code)
    }
    return nil
  }

  /// The read-only folder that explains a failure to write at `place`: the first folder at or
  /// above it that cannot be written, widened to the highest such folder inside the catalog
  /// (a read-only `objects/` makes `objects/staging` read-only too: `objects/` is what to fix).
  static func readOnlyFolder(from place: URL, catalogRoot: URL?) -> URL? {
    let root = catalogRoot?.standardizedFileURL
    var folder = place.standardizedFileURL
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory)
      || !isDirectory.boolValue
    {
      folder = folder.deletingLastPathComponent()
    }
    func writable(_ url: URL) -> Bool {
      !FileManager.default.fileExists(atPath: url.path) || access(url.path, W_OK) == 0
    }
    while writable(folder) {
      // Inside the catalog, the catalog database itself may be what is read-only.
      if let root, folder == root {
        let database = root.appendingPathComponent(Catalog.databaseFileName)
        return writable(database) ? nil : database
      }
      let parent = folder.deletingLastPathComponent()
      if parent.path == folder.path { return nil }
      folder = parent
    }
    while let root, folder.path.hasPrefix(root.path + "/"), !writable(folder.deletingLastPathComponent()) {
      folder = folder.deletingLastPathComponent()
    }
    return folder
  }

  /// Names a place by its role in the catalog when it has one.
  static func describe(_ place: URL, catalogRoot: URL?) -> String {
    let path = place.standardizedFileURL.path
    guard let root = catalogRoot?.standardizedFileURL.path else { return path }
    if path == root { return "the catalog folder \(path)" }
    if path == root + "/" + Catalog.databaseFileName { return "the catalog database \(path)" }
    if path == root + "/" + Catalog.objectsFolderName { return "the blob store \(path)" }
    if path.hasPrefix(root + "/" + Catalog.objectsFolderName + "/") { return "the blob store folder \(path)" }
    if path.hasPrefix(root + "/") { return "\(path) in the catalog" }
    return path
  }

  static func freeBytes(at place: URL) -> Int64? { DiskSpace.available(at: place) }

  static func free(at place: URL) -> String? {
    guard let bytes = freeBytes(at: place) else { return nil }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(bytes) bytes" : "\(String(format: "%.1f", value)) \(units[unit])"
  }
}

extension Catalog {
  /// `error` as the user should read it: a storage fault as one line naming the place, anything
  /// else as it describes itself.
  public func describe(_ error: Error) -> String {
    StorageFault.describe(error, catalogRoot: root) ?? String(describing: error)
  }
}
