import Foundation
import Primitives

/// The labelled fields of `bag-info.txt`, in file order. Labels may repeat (RFC 8493 §2.2.2).
///
/// ```swift
/// var info = BagInfo()
/// info.append("Source-Organization", "Site A")
/// info.append("Pleura-Version", PlatformVersion.current)
/// info["Payload-Oxum"]  // the first value with that label, e.g. "314572800.212" after reading
/// ```
public struct BagInfo: Sendable, Hashable {
  /// One `Label: value` line (with its continuation lines joined by a space).
  public struct Field: Sendable, Hashable {
    public var label: String
    public var value: String
    public init(_ label: String, _ value: String) {
      self.label = label
      self.value = value
    }
  }

  public var fields: [Field]

  public init(_ fields: [Field] = []) { self.fields = fields }

  /// The first value with `label` (labels compare case-insensitively, as RFC 8493 allows).
  public subscript(label: String) -> String? {
    fields.first { $0.label.caseInsensitiveCompare(label) == .orderedSame }?.value
  }

  /// Adds a field at the end.
  public mutating func append(_ label: String, _ value: String) {
    fields.append(Field(label, value))
  }

  /// Removes every field with `label`.
  public mutating func removeAll(_ label: String) {
    fields.removeAll { $0.label.caseInsensitiveCompare(label) == .orderedSame }
  }
}

// MARK: - Text form

extension BagInfo {
  /// The fields as `bag-info.txt` text. Values with line breaks become continuation lines.
  func text(file: String = "bag-info.txt") throws(BagError) -> String {
    var out = ""
    for (index, field) in fields.enumerated() {
      let label = field.label
      if label.isEmpty || label.contains(":") || label.first?.isWhitespace == true
        || label.unicodeScalars.contains(where: BagPath.isControl)
      {
        throw .invalidTagFile(file: file, line: index + 1, reason: "label '\(label)' is not a valid label")
      }
      let lines = field.value.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
      if lines.contains(where: { $0.unicodeScalars.contains(where: BagPath.isControl) }) {
        throw .invalidTagFile(
          file: file, line: index + 1, reason: "the value of '\(label)' contains a control character")
      }
      out += "\(label): \(lines.joined(separator: "\n  "))\n"
    }
    return out
  }

  /// Parses `bag-info.txt` text: `Label: value` lines, where a line starting with a space or
  /// tab continues the previous value.
  init(parsing text: String, file: String = "bag-info.txt") throws(BagError) {
    var fields: [Field] = []
    for (index, line) in TagText.lines(text).enumerated() {
      if line.isEmpty { continue }
      if line.first == " " || line.first == "\t" {
        guard !fields.isEmpty else {
          throw .invalidTagFile(file: file, line: index + 1, reason: "a continuation line comes first")
        }
        fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
        continue
      }
      guard let colon = line.firstIndex(of: ":") else {
        throw .invalidTagFile(file: file, line: index + 1, reason: "expected 'Label: value'")
      }
      let label = line[..<colon].trimmingCharacters(in: .whitespaces)
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      guard !label.isEmpty else {
        throw .invalidTagFile(file: file, line: index + 1, reason: "the label is empty")
      }
      fields.append(Field(label, value))
    }
    self.init(fields)
  }
}

/// Line handling shared by every tag file.
enum TagText {
  /// The lines of a tag file, accepting LF, CRLF and CR endings and a leading byte-order mark.
  static func lines(_ text: String) -> [Substring] {
    var body = Substring(text)
    if body.first == "\u{FEFF}" { body = body.dropFirst() }
    var lines = body.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }
}

// MARK: - Payload-Oxum

extension BagInfo {
  /// `Payload-Oxum` (`<octets>.<files>`) as numbers, nil when absent.
  var oxum: (bytes: Int64, files: Int)? {
    get throws(BagError) {
      guard let value = self["Payload-Oxum"] else { return nil }
      let parts = value.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 2,
        parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
        let bytes = Int64(parts[0]), let files = Int(parts[1])
      else {
        throw .invalidTagFile(
          file: "bag-info.txt", line: 0,
          reason: "Payload-Oxum '\(value.escapedForMessage)' is not '<bytes>.<files>'")
      }
      return (bytes, files)
    }
  }
}
