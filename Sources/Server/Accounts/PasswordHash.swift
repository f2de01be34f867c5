import Crypto
import Foundation
import _CryptoExtras

/// Passwords are stored as PBKDF2-HMAC-SHA-256 (swift-crypto's `_CryptoExtras`, BoringSSL
/// underneath) with a random 16-byte salt: `pbkdf2-sha256$<iterations>$<salt>$<key>`, salt and
/// key in base64. 600,000 iterations is OWASP's 2023 figure for PBKDF2-SHA-256; the count is
/// stored with each hash, so raising it later leaves existing accounts readable.
public enum PasswordHash {
  public static let defaultIterations = 600_000
  static let scheme = "pbkdf2-sha256"

  public static func make(_ password: String, iterations: Int = defaultIterations) throws -> String {
    var salt = [UInt8](repeating: 0, count: 16)
    var generator = SystemRandomNumberGenerator()
    for index in salt.indices { salt[index] = generator.next() }
    let key = try derive(password, salt: salt, iterations: iterations)
    return [scheme, "\(iterations)", Data(salt).base64EncodedString(), Data(key).base64EncodedString()]
      .joined(separator: "$")
  }

  /// True when `password` gives `stored`. Compared in constant time; a malformed hash verifies
  /// nothing.
  public static func verify(_ password: String, against stored: String) -> Bool {
    let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == scheme, let iterations = Int(parts[1]), iterations >= 1,
      iterations <= 10_000_000, let salt = Data(base64Encoded: String(parts[2])),
      let expected = Data(base64Encoded: String(parts[3])), expected.count == 32,
      let key = try? derive(password, salt: Array(salt), iterations: iterations)
    else { return false }
    return constantTimeEqual(key, Array(expected))
  }

  static func derive(_ password: String, salt: [UInt8], iterations: Int) throws -> [UInt8] {
    let key = try KDF.Insecure.PBKDF2.deriveKey(
      from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32,
      unsafeUncheckedRounds: iterations)
    return key.withUnsafeBytes { Array($0) }
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}
