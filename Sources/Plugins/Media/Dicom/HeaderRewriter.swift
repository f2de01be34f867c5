import CDicomLazy
import Foundation

/// Decides, element by element, what de-identification does with a DICOM header (PS3.15 Annex E,
/// Basic Application Level Confidentiality Profile, with the Retain Longitudinal Temporal
/// Information Modified Dates Option):
///
/// - private elements (odd groups), overlays (60xx), curves (50xx), the icon image and every
///   person name (PN) are removed;
/// - listed attributes the standard lets remove (X, X/Z, X/D, X/Z/D) are removed;
/// - listed UIDs (U), and every other UID that is not a DICOM registry UID, are replaced by keyed
///   UIDs; Patient's Birth Date and other Z attributes become empty, D attributes a dummy value;
/// - every date (DA, and the date part of DT) that is kept moves back by the patient's keyed
///   number of days, so intervals within one patient are kept;
/// - everything else is kept.
final class HeaderRewriter {
  let profile: ConfidentialityProfile
  let identity: DicomKeyedIdentity
  let shiftDays: Int
  private(set) var removed = 0
  private(set) var replacedUIDs = 0
  private(set) var shiftedDates = 0

  init(profile: ConfidentialityProfile, identity: DicomKeyedIdentity, shiftDays: Int) {
    self.profile = profile
    self.identity = identity
    self.shiftDays = shiftDays
  }

  enum Decision: Equatable {
    case keep
    case remove
    case replace(String)
  }

  static let iconImageSequence = DicomTag(0x0088, 0x0200)
  static let patientBirthDate = DicomTag(0x0010, 0x0030)
  static let pixelData = DicomTag(0x7FE0, 0x0010)
  /// UI attributes that hold registry UIDs (coding schemes, SOP classes), never instance UIDs.
  static let registryUIDTags: Set<DicomTag> = [
    DicomTag(0x0008, 0x0016), DicomTag(0x0008, 0x010C), DicomTag(0x0008, 0x0118), DicomTag(0x0008, 0x0062),
    DicomTag(0x0008, 0x1150), DicomTag(0x0008, 0x001A), DicomTag(0x0004, 0x1510), DicomTag(0x0002, 0x0010),
    DicomTag(0x0008, 0x0123), DicomTag(0x0040, 0xE001),
  ]

  func decide(tag: DicomTag, vr: String, value: String?) -> Decision {
    let decision = rule(tag: tag, vr: vr, value: value)
    switch decision {
    case .remove: removed += 1
    case .keep, .replace: break
    }
    return decision
  }

  private func rule(tag: DicomTag, vr: String, value: String?) -> Decision {
    if tag == Self.pixelData { return .keep }
    if tag.isPrivate || tag.group & 0xFF00 == 0x6000 || tag.group & 0xFF00 == 0x5000
      || tag == Self.iconImageSequence
      || vr == "PN"
    {
      return .remove
    }
    if let entry = profile.entry(for: tag) {
      switch entry.action {
      case .uid:
        return vr == "UI" ? replaceUIDs(value) : .remove
      case .removeZeroOrReplaceUIDs:
        // A reference sequence: kept, and the UIDs inside are replaced like any other.
        return vr == "SQ" ? .keep : .remove
      case let action where action.mayRemove:
        return .remove
      default:
        if tag == Self.patientBirthDate { return .replace("") }
        if vr == "DA" || vr == "DT" { return shift(value, vr: vr) }
        if vr == "SQ" || entry.action != .dummy { return .replace("") }
        return .replace(Self.dummy(vr: vr))
      }
    }
    if vr == "UI", !Self.registryUIDTags.contains(tag) { return replaceUIDs(value) }
    if vr == "DA" || vr == "DT" { return shift(value, vr: vr) }
    return .keep
  }

  private func replaceUIDs(_ value: String?) -> Decision {
    guard let value else { return .replace("") }
    let uids = value.split(separator: "\\", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
    }
    let replaced = uids.map { uid -> String in
      if uid.isEmpty || uid.hasPrefix("1.2.840.10008.") { return uid }
      replacedUIDs += 1
      return identity.uid(for: uid)
    }
    return .replace(replaced.joined(separator: "\\"))
  }

  private func shift(_ value: String?, vr: String) -> Decision {
    guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return .keep }
    var shifted: [String] = []
    for part in value.split(separator: "\\", omittingEmptySubsequences: false) {
      let text = part.trimmingCharacters(in: .whitespaces)
      guard let date = Self.shiftDate(String(text.prefix(8)), days: -shiftDays) else {
        return .replace("")  // not a date we can move: dropped rather than kept
      }
      shifted.append(date + (vr == "DT" ? String(text.dropFirst(8)) : ""))
    }
    shiftedDates += 1
    return .replace(shifted.joined(separator: "\\"))
  }

  /// YYYYMMDD moved by `days`; nil when `text` is not a valid date.
  static func shiftDate(_ text: String, days: Int) -> String? {
    guard text.count == 8, text.allSatisfy({ $0.isASCII && $0.isNumber }),
      let year = Int(text.prefix(4)), let month = Int(text.dropFirst(4).prefix(2)),
      let day = Int(text.suffix(2))
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    let components = DateComponents(year: year, month: month, day: day)
    guard components.isValidDate(in: calendar), let date = calendar.date(from: components),
      let moved = calendar.date(byAdding: .day, value: days, to: date)
    else { return nil }
    let parts = calendar.dateComponents([.year, .month, .day], from: moved)
    guard let y = parts.year, let m = parts.month, let d = parts.day, y > 0, y < 10000 else { return nil }
    return String(format: "%04d%02d%02d", y, m, d)
  }

  /// A non-empty value that means nothing, for D attributes.
  static func dummy(vr: String) -> String {
    switch vr {
    case "TM": "000000"
    case "IS", "DS", "US", "SS", "UL", "SL", "FL", "FD", "UV", "SV": "0"
    case "AS": "000D"
    default: "ANONYMIZED"
    }
  }

  /// The C callback: `context` is an unretained `HeaderRewriter`.
  static let visitor: pleura_dicom_visitor = { context, _, group, element, vr, value, replacement, size in
    guard let context else { preconditionFailure("the DICOM visitor runs with its rewriter as context") }
    let rewriter = Unmanaged<HeaderRewriter>.fromOpaque(context).takeUnretainedValue()
    let decision = rewriter.decide(
      tag: DicomTag(group, element), vr: vr.map { String(cString: $0) } ?? "",
      value: value.map { String(cString: $0) })
    switch decision {
    case .keep:
      return Int32(PLEURA_DICOM_KEEP)
    case .remove:
      return Int32(PLEURA_DICOM_REMOVE)
    case .replace(let text):
      // Without a buffer for the new value the element goes: nothing identifying is ever kept.
      guard let replacement else { return Int32(PLEURA_DICOM_REMOVE) }
      let bytes = Array(text.utf8.prefix(max(0, size - 1)))
      for (index, byte) in bytes.enumerated() { replacement[index] = CChar(bitPattern: byte) }
      replacement[bytes.count] = 0
      return Int32(PLEURA_DICOM_REPLACE)
    }
  }
}
