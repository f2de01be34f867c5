import Crypto
import Primitives

extension SHA256 {
  /// Finishes the hash and returns it as 64 lower-case hex digits.
  func finalizeHex() -> String { finalize().lowercaseHex }
}
