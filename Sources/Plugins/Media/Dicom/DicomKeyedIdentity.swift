import Foundation
import Platform
import Primitives

/// The replacements de-identification derives from the site key, so that the same original always
/// maps to the same replacement at one site and cannot be traced back without the key.
public struct DicomKeyedIdentity: Sendable {
  let key: SiteKey

  public init(key: SiteKey) { self.key = key }

  /// A UID for `original`: "2.25." and the decimal of a 128-bit UUID (version 8, PS3.5 B.2) made from
  /// the keyed hash. The same study, series or instance UID always gets the same replacement.
  public func uid(for original: String) -> String {
    var bytes = Array(key.digest(domain: "pleura-dicom-uid-v1:", original).prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
    bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
    return "2.25." + Self.decimal(bytes)
  }

  /// How many days this patient's dates move back: 1 to 3650, from the keyed hash of the patient
  /// code, so that one patient's intervals are kept and different patients move differently.
  public func dateShiftDays(patient: String) -> Int {
    let bytes = key.digest(domain: "pleura-dicom-date-v1:", patient)
    let value = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
    return value % 3650 + 1
  }

  /// The patient code for a header's Patient ID: "h-" and 24 hex digits of the keyed hash (the ID
  /// itself is never stored).
  public func patientCode(forPatientID id: String) -> String {
    let digest = key.digest(domain: "pleura-dicom-patient-v1:", id.trimmingCharacters(in: .whitespaces))
    return "h-" + digest.prefix(12).lowercaseHex
  }

  /// The decimal digits of a big-endian unsigned integer.
  static func decimal(_ bytes: [UInt8]) -> String {
    var number = bytes.map { UInt32($0) }
    var digits: [Character] = []
    while number.contains(where: { $0 != 0 }) {
      var remainder: UInt32 = 0
      for index in number.indices {
        let value = remainder << 8 | number[index]
        number[index] = value / 10
        remainder = value % 10
      }
      digits.append(Character(String(remainder)))
    }
    return digits.isEmpty ? "0" : String(digits.reversed())
  }
}
