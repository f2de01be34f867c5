import Crypto
import Foundation

/// The checksum algorithms a manifest may name (`manifest-<algorithm>.txt`) that the reader can
/// check. SHA-256 is the one Pleura writes and computes while extracting; the others are only
/// checked when a bag made elsewhere carries them too.
enum ManifestAlgorithm: String, CaseIterable {
  case md5, sha1, sha256, sha384, sha512

  var hexDigits: Int {
    switch self {
    case .md5: 32
    case .sha1: 40
    case .sha256: 64
    case .sha384: 96
    case .sha512: 128
    }
  }

  /// Hashes the file at `path`, reading it in 1 MiB chunks.
  func hexDigest(of path: String) throws(BagError) -> String {
    switch self {
    case .md5: try Self.digest(path, Insecure.MD5())
    case .sha1: try Self.digest(path, Insecure.SHA1())
    case .sha256: try Self.digest(path, SHA256())
    case .sha384: try Self.digest(path, SHA384())
    case .sha512: try Self.digest(path, SHA512())
    }
  }

  private static func digest<H: HashFunction>(_ path: String, _ hasher: H) throws(BagError) -> String {
    var hasher = hasher
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let n = read(fd, buffer.baseAddress, buffer.count)
      guard n >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
      if n == 0 { break }
      hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
    }
    return hasher.finalize().lowercaseHex
  }
}
