import Crypto
import Foundation

/// The site's secret key: a file of at least 32 random bytes that only its owner can read (mode
/// 0600 or 0400), which never leaves the site. Everything Pleura derives from it is an
/// HMAC-SHA-256 of a domain-tagged message: export pseudonyms (Sharing's `Pseudonymizer`), and
/// at ingest the UIDs, date shifts and header patient codes of de-identified DICOM.
///
/// ```swift
/// let key = try SiteKey(keyFile: URL(filePath: "/etc/pleura/site.key"))
/// key.digest(domain: "pleura-example-v1:", "text")  // 32 bytes
/// ```
public struct SiteKey: Sendable {
  /// The shortest key accepted: 32 bytes, the HMAC-SHA-256 block's worth of strength.
  public static let minimumKeyBytes = 32
  /// The largest key file read: anything bigger is not a key file.
  static let maximumKeyFileBytes = 64 * 1024

  /// The key bytes (`SymmetricKey` is not `Sendable`; one is made per call, which is cheap).
  private let key: [UInt8]

  /// Reads the site key from `keyFile`, refusing a missing, short or group/world-readable file.
  public init(keyFile: URL) throws(SiteKeyError) {
    let path = keyFile.path
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      let code = errno
      if code == ENOENT { throw .keyFileMissing(path: path) }
      if code == ELOOP { throw .keyFileNotRegular(path: path) }
      throw .unreadable(path: path, reason: String(cString: strerror(code)))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    guard info.st_mode & S_IFMT == S_IFREG else { throw .keyFileNotRegular(path: path) }
    let permissions = info.st_mode & 0o777
    guard permissions & 0o077 == 0 else { throw .keyFileTooOpen(path: path, mode: permissions) }
    guard info.st_size <= Self.maximumKeyFileBytes else {
      throw .unreadable(path: path, reason: "it holds \(info.st_size) bytes; a key file holds only the key")
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
    let n = read(fd, &bytes, bytes.count)
    guard n >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    guard n >= Self.minimumKeyBytes else { throw .keyTooShort(path: path, bytes: n) }
    key = Array(bytes[0..<n])
  }

  /// A key already in memory (tests, or keys from a secret store).
  public init(key: SymmetricKey) {
    self.key = key.withUnsafeBytes { Array($0) }
  }

  /// HMAC-SHA-256(key, `domain` + `message`). Each use names its own `domain`, with a version, so
  /// that no two uses can produce the same hash from the same text.
  public func digest(domain: String, _ message: String) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: Data((domain + message).utf8), using: SymmetricKey(data: key)))
  }

  /// Writes a new random 32-byte key to `keyFile` with mode 0600, refusing to replace a file.
  public static func createKeyFile(at keyFile: URL) throws(SiteKeyError) {
    let path = keyFile.path
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    let key = SymmetricKey(size: .bits256)
    let written = key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == minimumKeyBytes, fsync(fd) == 0 else {
      unlink(path)
      throw .unreadable(path: path, reason: "cannot write the key: \(String(cString: strerror(errno)))")
    }
  }
}
