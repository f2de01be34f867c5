import Platform

/// DICOM PS3.15 Table E.1-1, Basic Application Level Confidentiality Profile column: what to do
/// with each listed attribute (from `dicom/confidentiality-profile.tsv`, compiled in).
public struct ConfidentialityProfile: Sendable {
  /// The table's action codes.
  public enum Action: String, Sendable, CaseIterable {
    case dummy = "D"
    case zero = "Z"
    case remove = "X"
    case uid = "U"
    case zeroOrDummy = "Z/D"
    case removeOrZero = "X/Z"
    case removeOrDummy = "X/D"
    case removeZeroOrDummy = "X/Z/D"
    case removeZeroOrReplaceUIDs = "X/Z/U*"

    /// Whether the standard allows removing the attribute outright.
    var mayRemove: Bool { rawValue.hasPrefix("X") }
  }

  public struct Entry: Sendable {
    public var tag: DicomTag
    /// Bits of the tag that must match (repeating groups such as 60xx use 0xFF00).
    public var groupMask: UInt16
    public var elementMask: UInt16
    public var action: Action
    public var name: String
  }

  public let entries: [Entry]
  private let exact: [DicomTag: Entry]
  private let masked: [Entry]

  /// The table compiled into the binary.
  public static let basic: ConfidentialityProfile = {
    let text = EmbeddedResources.dicomTables.first { $0.name == "confidentiality-profile.tsv" }?.text ?? ""
    return ConfidentialityProfile(entries: parse(text))
  }()

  init(entries: [Entry]) {
    self.entries = entries
    var exact: [DicomTag: Entry] = [:]
    for entry in entries where entry.groupMask == 0xFFFF && entry.elementMask == 0xFFFF {
      exact[entry.tag] = entry
    }
    self.exact = exact
    masked = entries.filter { $0.groupMask != 0xFFFF || $0.elementMask != 0xFFFF }
  }

  /// The entry listing `tag`, if any.
  public func entry(for tag: DicomTag) -> Entry? {
    if let entry = exact[tag] { return entry }
    return masked.first {
      tag.group & $0.groupMask == $0.tag.group && tag.element & $0.elementMask == $0.tag.element
    }
  }

  /// Lines "gggg,eeee<TAB>action<TAB>name"; "xx" in a tag matches any two hex digits.
  static func parse(_ text: String) -> [Entry] {
    text.split(separator: "\n").compactMap { line -> Entry? in
      if line.hasPrefix("#") { return nil }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard fields.count >= 3, let action = Action(rawValue: String(fields[1])) else { return nil }
      let parts = fields[0].split(separator: ",")
      guard parts.count == 2, let group = hexWithWildcards(parts[0]), let element = hexWithWildcards(parts[1])
      else { return nil }
      return Entry(
        tag: DicomTag(group.value, element.value), groupMask: group.mask, elementMask: element.mask,
        action: action, name: String(fields[2]))
    }
  }

  private static func hexWithWildcards(_ text: Substring) -> (value: UInt16, mask: UInt16)? {
    guard text.count == 4 else { return nil }
    var value: UInt16 = 0
    var mask: UInt16 = 0
    for character in text.lowercased() {
      value <<= 4
      mask <<= 4
      if character == "x" { continue }
      guard let digit = character.hexDigitValue else { return nil }
      value |= UInt16(digit)
      mask |= 0xF
    }
    return (value, mask)
  }
}
