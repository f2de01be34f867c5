import Foundation
import Primitives

/// A BagIt manifest (`manifest-<alg>.txt` or `tagmanifest-<alg>.txt`): one `<checksum> <path>`
/// line per file, with `%`, CR and LF in paths percent-encoded (RFC 8493 §2.1.3).
struct Manifest: Sendable {
  /// Path (relative to the bag root) → lower-case hex checksum, in file order.
  var entries: [(path: String, checksum: String)] = []

  /// The manifest as text, one line per entry.
  var text: String {
    entries.map { "\($0.checksum)  \(Manifest.encode($0.path))\n" }.joined()
  }

  /// Parses manifest text, refusing malformed lines, unsafe or repeated paths and checksums
  /// of the wrong length for `hexDigits`.
  init(parsing text: String, file: String, hexDigits: Int) throws(BagError) {
    var seen = Set<String>()
    for (index, line) in TagText.lines(text).enumerated() {
      if line.allSatisfy(\.isWhitespace) { continue }
      let fail = { (reason: String) in BagError.invalidTagFile(file: file, line: index + 1, reason: reason) }
      guard let gap = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
        throw fail("expected '<checksum> <path>'")
      }
      let checksum = line[..<gap].lowercased()
      guard checksum.count == hexDigits, checksum.allSatisfy(\.isHexDigit) else {
        throw fail("'\(String(line[..<gap]).escapedForMessage)' is not a \(hexDigits)-digit hex checksum")
      }
      let rest = line[gap...].drop(while: { $0 == " " || $0 == "\t" })
      let path = Manifest.decode(String(rest))
      if case .failure(let unsafe) = BagPath.components(of: path) {
        throw fail("path '\(path.escapedForMessage)' is unsafe: \(unsafe.reason)")
      }
      guard seen.insert(path).inserted else { throw fail("'\(path)' is listed twice") }
      entries.append((path, checksum))
    }
  }

  init() {}

  static func encode(_ path: String) -> String {
    path.replacingOccurrences(of: "%", with: "%25")
      .replacingOccurrences(of: "\n", with: "%0A")
      .replacingOccurrences(of: "\r", with: "%0D")
  }

  static func decode(_ path: String) -> String {
    guard path.contains("%") else { return path }
    var out = ""
    var rest = Substring(path)
    while let percent = rest.firstIndex(of: "%") {
      out += rest[..<percent]
      let code = rest[percent...].prefix(3).uppercased()
      switch code {
      case "%25": out += "%"
      case "%0A": out += "\n"
      case "%0D": out += "\r"
      default:
        out += code.count == 3 ? String(rest[percent...].prefix(3)) : String(rest[percent...])
      }
      rest = rest[percent...].dropFirst(3)
    }
    return out + rest
  }
}
