/// Why the site key cannot be used. The key's content never appears in a message.
public enum SiteKeyError: Error, Sendable, Equatable, CustomStringConvertible {
  case keyFileMissing(path: String)
  case keyFileNotRegular(path: String)
  /// The key file can be read by its group or by others.
  case keyFileTooOpen(path: String, mode: UInt32)
  case keyTooShort(path: String, bytes: Int)
  case unreadable(path: String, reason: String)

  public var description: String {
    switch self {
    case .keyFileMissing(let path):
      "The site key file '\(path)' does not exist; create one with 32 random bytes and mode 0600."
    case .keyFileNotRegular(let path):
      "The site key file '\(path)' is not a regular file (symlinks are not followed)."
    case .keyFileTooOpen(let path, let mode):
      "The site key file '\(path)' has mode 0\(String(mode, radix: 8)), readable by group or others; "
        + "run 'chmod 600 \(path)'."
    case .keyTooShort(let path, let bytes):
      "The site key file '\(path)' holds \(bytes) bytes; a key needs at least \(SiteKey.minimumKeyBytes)."
    case .unreadable(let path, let reason):
      "The site key file '\(path)' cannot be used: \(reason)."
    }
  }
}
