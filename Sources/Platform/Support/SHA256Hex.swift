import Crypto
import Foundation
import Primitives

/// Lowercase hex SHA-256 digests, the names of blobs and the basis of run-cache keys.
public enum SHA256Hex {
  public static func digest(_ data: some DataProtocol) -> String {
    hex(SHA256.hash(data: data))
  }

  public static func digest(_ text: String) -> String { digest(Data(text.utf8)) }

  static func hex(_ digest: SHA256.Digest) -> String { digest.lowercaseHex }

  /// Hashes a file by streaming it in 1 MiB chunks, so memory does not grow with the file.
  public static func digest(fileAt url: URL) throws -> (sha256: String, size: Int64) {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    var size: Int64 = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(data: chunk)
      size += Int64(chunk.count)
    }
    return (hex(hasher.finalize()), size)
  }
}
