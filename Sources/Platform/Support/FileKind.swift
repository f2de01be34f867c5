import Foundation

/// What is at a path, as far as reading it as a file goes: a folder, a device or a missing path
/// is named as such ("is a character device") rather than read as an empty file.
public enum FileKind: Equatable, Sendable {
  case regular(size: Int64)
  case missing
  /// stat(2) failed for another reason than a missing path (`reason` is the system's).
  case unreadable(reason: String)
  /// Not a regular file: "a folder", "a character device", "a named pipe"...
  case other(String)

  /// Follows symbolic links.
  public static func of(_ path: String) -> FileKind {
    var info = stat()
    guard stat(path, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR { return .missing }
      return .unreadable(reason: String(cString: strerror(errno)))
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .regular(size: Int64(info.st_size))
    case S_IFDIR: return .other("a folder")
    case S_IFCHR: return .other("a character device")
    case S_IFBLK: return .other("a block device")
    case S_IFIFO: return .other("a named pipe")
    case S_IFSOCK: return .other("a socket")
    default: return .other("a special file")
    }
  }

  /// Why `path` cannot be read as a file, in words to follow the path; nil for a regular file.
  public var problem: String? {
    switch self {
    case .regular: nil
    case .missing: "no such file"
    case .unreadable(let reason): "cannot be read (\(reason))"
    case .other(let kind): "is \(kind), not a file"
    }
  }
}
