import Crypto
import Foundation

/// Replaces patient codes with keyed pseudonyms for export: `p-` followed by the first 24 hex
/// digits (96 bits) of HMAC-SHA-256(site key, "pleura-patient-v1:" + code).
///
/// The same code under the same key always gives the same pseudonym, so a site's exports stay
/// linkable with each other; without the key, which never leaves the site, a pseudonym cannot be
/// traced back to a code by trying codes. The key file must be a regular file of at least 32
/// bytes that only its owner can read (mode 0600 or 0400); its bytes are the key as they are.
///
/// ```swift
/// let pseudonymizer = try Pseudonymizer(keyFile: URL(filePath: "/etc/pleura/site.key"))
/// pseudonymizer.pseudonym(for: "PAT-00042")  // "p-3f9c...", 26 characters
/// ```
public struct Pseudonymizer: Sendable {
  /// The shortest key accepted: 32 bytes, the HMAC-SHA-256 block's worth of strength.
  public static let minimumKeyBytes = 32
  /// The largest key file read: anything bigger is not a key file.
  static let maximumKeyFileBytes = 64 * 1024
  /// The prefix of the hashed message; changing the scheme means changing this version.
  static let domain = "pleura-patient-v1:"

  /// The key bytes (`SymmetricKey` is not `Sendable`; one is made per call, which is cheap).
  private let key: [UInt8]

  /// Reads the site key from `keyFile`, refusing a missing, short or group/world-readable file.
  public init(keyFile: URL) throws(PseudonymizerError) {
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

  /// A pseudonymizer over a key already in memory (tests, or keys from a secret store).
  public init(key: SymmetricKey) {
    self.key = key.withUnsafeBytes { Array($0) }
  }

  /// The pseudonym of `patientCode`, e.g. "p-0123456789abcdef01234567". The code is hashed as
  /// its UTF-8 bytes, verbatim: callers normalise case or whitespace first if they need to.
  public func pseudonym(for patientCode: String) -> String {
    let mac = HMAC<SHA256>.authenticationCode(
      for: Data((Self.domain + patientCode).utf8), using: SymmetricKey(data: key))
    return "p-" + String(mac.lowercaseHex.prefix(24))
  }

  /// Writes a new random 32-byte key to `keyFile` with mode 0600, refusing to replace a file.
  public static func createKeyFile(at keyFile: URL) throws(PseudonymizerError) {
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
