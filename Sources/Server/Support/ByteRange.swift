import Foundation

/// One `Range: bytes=...` request (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`. Several ranges in one
/// request are not served (a browser's `<video>` asks for one); such a request gets the whole file.
struct ByteRange: Equatable {
  var first: Int
  var last: Int

  enum Parsed: Equatable {
    case whole
    case range(ByteRange)
    case unsatisfiable
  }

  /// `chunk` caps an open-ended range (`a-`): the browser asks again from where the answer ended.
  static func parse(_ header: String?, size: Int, chunk: Int = 4 << 20) -> Parsed {
    guard let header, header.hasPrefix("bytes=") else { return .whole }
    let spec = header.dropFirst("bytes=".count)
    guard !spec.contains(",") else { return .whole }
    let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2 else { return .unsatisfiable }
    let (a, b) = (
      parts[0].trimmingCharacters(in: .whitespaces), parts[1].trimmingCharacters(in: .whitespaces)
    )
    guard size > 0 else { return .unsatisfiable }
    if a.isEmpty {
      guard let suffix = Int(b), suffix > 0 else { return .unsatisfiable }
      return .range(ByteRange(first: max(0, size - suffix), last: size - 1))
    }
    guard let first = Int(a), first >= 0, first < size else { return .unsatisfiable }
    if b.isEmpty { return .range(ByteRange(first: first, last: min(size - 1, first + chunk - 1))) }
    guard let last = Int(b), last >= first else { return .unsatisfiable }
    return .range(ByteRange(first: first, last: min(last, size - 1)))
  }
}
