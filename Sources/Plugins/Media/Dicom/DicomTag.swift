/// A DICOM data element tag (group, element), e.g. `(0010,0010)` Patient's Name.
public struct DicomTag: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let group: UInt16
  public let element: UInt16

  public init(_ group: UInt16, _ element: UInt16) {
    self.group = group
    self.element = element
  }

  /// Private tags (odd groups) carry vendor data that no profile can vouch for.
  public var isPrivate: Bool { group % 2 == 1 }

  /// `(gggg,eeee)` in upper-case hex, as PS3.6 prints tags.
  public var description: String {
    "(" + Self.hex(group) + "," + Self.hex(element) + ")"
  }

  public static func < (lhs: DicomTag, rhs: DicomTag) -> Bool {
    (lhs.group, lhs.element) < (rhs.group, rhs.element)
  }

  static func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - digits.count) + digits
  }
}

extension DicomTag {
  // The attributes Pleura reads or writes by name.
  static let sopClassUID = DicomTag(0x0008, 0x0016)
  static let sopInstanceUID = DicomTag(0x0008, 0x0018)
  static let modality = DicomTag(0x0008, 0x0060)
  static let manufacturer = DicomTag(0x0008, 0x0070)
  static let manufacturerModelName = DicomTag(0x0008, 0x1090)
  static let recommendedDisplayFrameRate = DicomTag(0x0008, 0x2144)
  static let patientName = DicomTag(0x0010, 0x0010)
  static let patientID = DicomTag(0x0010, 0x0020)
  static let patientIdentityRemoved = DicomTag(0x0012, 0x0062)
  static let deidentificationMethod = DicomTag(0x0012, 0x0063)
  static let deidentificationMethodCodeSequence = DicomTag(0x0012, 0x0064)
  static let longitudinalTemporalInformationModified = DicomTag(0x0028, 0x0303)
  static let cineRate = DicomTag(0x0018, 0x0040)
  static let frameTime = DicomTag(0x0018, 0x1063)
  static let frameTimeVector = DicomTag(0x0018, 0x1065)
  static let sequenceOfUltrasoundRegions = DicomTag(0x0018, 0x6011)
  static let regionMinX0 = DicomTag(0x0018, 0x6018)
  static let regionMinY0 = DicomTag(0x0018, 0x601A)
  static let regionMaxX1 = DicomTag(0x0018, 0x601C)
  static let regionMaxY1 = DicomTag(0x0018, 0x601E)
  static let samplesPerPixel = DicomTag(0x0028, 0x0002)
  static let photometricInterpretation = DicomTag(0x0028, 0x0004)
  static let planarConfiguration = DicomTag(0x0028, 0x0006)
  static let numberOfFrames = DicomTag(0x0028, 0x0008)
  static let rows = DicomTag(0x0028, 0x0010)
  static let columns = DicomTag(0x0028, 0x0011)
  static let bitsAllocated = DicomTag(0x0028, 0x0100)
  static let bitsStored = DicomTag(0x0028, 0x0101)
  static let highBit = DicomTag(0x0028, 0x0102)
  static let pixelRepresentation = DicomTag(0x0028, 0x0103)
  static let burnedInAnnotation = DicomTag(0x0028, 0x0301)
  static let lossyImageCompression = DicomTag(0x0028, 0x2110)
}
