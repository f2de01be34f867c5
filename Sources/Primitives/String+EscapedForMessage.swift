extension String {
  /// The string with control characters shown as `\u{..}`, so that a hostile entry name cannot
  /// rewrite the terminal line that reports it, and cut after 200 characters, so that a name of
  /// any length (a GNU long-name entry or a pax record can hold megabytes) cannot bury the message.
  public var escapedForMessage: String { escaped(limit: 200) }

  /// The string with control characters shown as `\u{..}`; once the result reaches `limit`
  /// characters, if given, the rest is counted instead of shown.
  public func escaped(limit: Int?) -> String {
    var out = String.UnicodeScalarView()
    var length = 0
    for (index, scalar) in unicodeScalars.enumerated() {
      if let limit, length >= limit {
        return String(out) + "...(\(unicodeScalars.count - index) more characters)"
      }
      if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
        let escape = "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars
        out.append(contentsOf: escape)
        length += escape.count
      } else {
        out.append(scalar)
        length += 1
      }
    }
    return String(out)
  }
}
