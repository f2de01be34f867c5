import Crypto
import Foundation
import Platform
import Primitives

/// Replaces patient codes with keyed pseudonyms for export: `p-` followed by the first 24 hex
/// digits (96 bits) of HMAC-SHA-256(site key, "pleura-patient-v1:" + code).
///
/// The same code under the same key always gives the same pseudonym, so a site's exports stay
/// linkable with each other; without the key, which never leaves the site, a pseudonym cannot be
/// traced back to a code by trying codes. The key is the site's `SiteKey` (a file of at least 32
/// bytes that only its owner can read, mode 0600 or 0400; its bytes are the key as they are).
///
/// ```swift
/// let pseudonymizer = try Pseudonymizer(keyFile: URL(filePath: "/etc/pleura/site.key"))
/// pseudonymizer.pseudonym(for: "PAT-00042")  // "p-3f9c...", 26 characters
/// ```
public struct Pseudonymizer: Sendable {
  /// The shortest key accepted (see `SiteKey`).
  public static let minimumKeyBytes = SiteKey.minimumKeyBytes
  /// The prefix of the hashed message; changing the scheme means changing this version.
  static let domain = "pleura-patient-v1:"

  private let key: SiteKey

  /// Reads the site key from `keyFile`, refusing a missing, short or group/world-readable file.
  public init(keyFile: URL) throws(PseudonymizerError) {
    key = try SiteKey(keyFile: keyFile)
  }

  /// A pseudonymizer over a key already in memory (tests, or keys from a secret store).
  public init(key: SymmetricKey) {
    self.key = SiteKey(key: key)
  }

  /// A pseudonymizer over the site key.
  public init(siteKey: SiteKey) {
    key = siteKey
  }

  /// The pseudonym of `patientCode`, e.g. "p-0123456789abcdef01234567". The code is hashed as
  /// its UTF-8 bytes, verbatim: callers normalise case or whitespace first if they need to.
  public func pseudonym(for patientCode: String) -> String {
    pseudonym(patientCode, kind: .patient)
  }

  /// What a pseudonym stands for: each kind hashes under its own domain and has its own prefix,
  /// so an author and a patient with the same text get unrelated pseudonyms.
  public enum Kind: String, Sendable, CaseIterable {
    case patient, author, site, file
    /// Run-cache keys: a hash of the parameters, which could be matched against guessed codes.
    case runCacheKey

    var prefix: String {
      switch self {
      case .patient: "p-"
      case .author: "a-"
      case .site: "s-"
      case .file: "f-"
      case .runCacheKey: ""
      }
    }

    var domain: String {
      switch self {
      case .patient: Pseudonymizer.domain
      case .author: Pseudonymizer.authorDomain
      default: "pleura-\(rawValue)-v1:"
      }
    }
  }

  /// The keyed pseudonym of any identifying value: the prefix of its kind and 24 hex digits
  /// (a run-cache key keeps the 64 of a SHA-256).
  public func pseudonym(_ value: String, kind: Kind) -> String {
    kind.prefix
      + String(key.digest(domain: kind.domain, value).lowercaseHex.prefix(kind == .runCacheKey ? 64 : 24))
  }

  /// The pseudonym of an annotator's name, e.g. "a-0123456789abcdef01234567": the same keyed hash
  /// under its own domain, so that a name and a patient code never share a pseudonym.
  public func pseudonym(forAuthor name: String) -> String {
    pseudonym(name, kind: .author)
  }

  static let authorDomain = "pleura-author-v1:"

  /// Writes a new random 32-byte key to `keyFile` with mode 0600, refusing to replace a file.
  public static func createKeyFile(at keyFile: URL) throws(PseudonymizerError) {
    try SiteKey.createKeyFile(at: keyFile)
  }
}
