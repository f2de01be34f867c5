import Foundation

/// The one rule for names inside a bag, shared by the writer (payload paths it accepts) and the
/// reader (archive entries it extracts), so that the writer never produces what the reader refuses.
///
/// A safe name is a relative path of `/`-separated components, none of them empty, `.` or `..`
/// (also after Unicode compatibility normalisation, which folds e.g. `\u{2024}\u{2024}` to `..`),
/// without backslashes or control characters, at most 1024 UTF-8 bytes long, with components of at
/// most 255 bytes, nested at most 64 deep. Quotes, semicolons and other SQL-looking characters are
/// ordinary characters: names are only ever used as file names and stored verbatim.
enum BagPath {
  static let maxBytes = 1024
  static let maxComponentBytes = 255
  static let maxDepth = 64

  /// The components of `name`, or the reason it is unsafe. A trailing `/` (how tar marks a folder)
  /// is allowed when `allowTrailingSlash`.
  static func components(of name: String, allowTrailingSlash: Bool = false) -> Result<[String], Unsafe> {
    if name.isEmpty { return .failure(.init("it is empty")) }
    if name.utf8.count > maxBytes { return .failure(.init("it is longer than \(maxBytes) bytes")) }
    if name.hasPrefix("/") { return .failure(.init("it is an absolute path")) }
    if name.contains("\\") { return .failure(.init("it contains a backslash")) }
    if name.unicodeScalars.contains(where: isControl) {
      return .failure(.init("it contains a control character"))
    }
    var trimmed = Substring(name)
    if allowTrailingSlash, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if parts.count > maxDepth { return .failure(.init("it is nested deeper than \(maxDepth) folders")) }
    for part in parts {
      if part.isEmpty { return .failure(.init("it has an empty component ('//' or a trailing '/')")) }
      if part == "." || part == ".." { return .failure(.init("it has a '\(part)' component")) }
      let folded = part.precomposedStringWithCompatibilityMapping
      if folded == "." || folded == ".." || folded.contains("/") || folded.contains("\\") {
        return .failure(.init("component '\(part)' reads as '\(folded)' after Unicode normalisation"))
      }
      if part.utf8.count > maxComponentBytes {
        return .failure(.init("a component is longer than \(maxComponentBytes) bytes"))
      }
    }
    return .success(parts)
  }

  /// C0 and C1 control characters and DEL, which would let a name rewrite a terminal or a tag
  /// file line.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
  }

  /// Why a name is unsafe, as a phrase that completes "the name is unsafe: ...".
  struct Unsafe: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
  }
}
