import CDicomLazy
import Foundation
import Platform

/// How to de-identify one DICOM file.
public struct DicomDeidentification: Sendable {
  public var identity: DicomKeyedIdentity
  /// The patient's pseudonymous code (it seeds the date shift; it is not written into the file).
  public var patientCode: String
  /// `--mask` rectangles to black out, if any.
  public var explicitMasks: [PixelRect]
  public var rules: MaskRules
  public var acceptBurnedIn: Bool

  public init(
    identity: DicomKeyedIdentity, patientCode: String, explicitMasks: [PixelRect] = [],
    rules: MaskRules = .builtIn, acceptBurnedIn: Bool = false
  ) {
    self.identity = identity
    self.patientCode = patientCode
    self.explicitMasks = explicitMasks
    self.rules = rules
    self.acceptBurnedIn = acceptBurnedIn
  }
}

/// What de-identifying one file did.
public struct DicomDeidentified: Sendable {
  /// The original as inspected (its transfer syntax, size, rate, frames).
  public var original: DicomVideo
  public var decision: BurnedInPolicy.Decision
  public var removedElements: Int
  public var replacedUIDs: Int
  public var shiftedDates: Int
  /// The new SOP Instance UID (the stored file is named after it).
  public var sopInstanceUID: String

  /// One phrase for the run's notes, e.g. "masked outside 1 ultrasound region".
  public var pixelSummary: String {
    switch decision {
    case .mask(let mask): mask.summary
    case .unmasked(_, let reason): "not masked: \(reason)"
    }
  }
}

/// Writes the de-identified copy of an ultrasound DICOM that Pleura stores instead of the original:
/// the header rewritten (`HeaderRewriter`), and every frame decoded, masked (`BurnedInPolicy`) and
/// written back RLE Lossless at 8 bits, MONOCHROME2 or RGB. One frame is in memory at a time.
public enum DicomDeidentifier {
  static let lossyTransferSyntaxes: Set<String> = [
    "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81", "1.2.840.10008.1.2.4.91",
  ]

  /// Everything `write` checks, without writing: the file is an ultrasound cine loop Pleura can
  /// decode, and its burned-in text can be dealt with.
  public static func check(_ url: URL, options: DicomDeidentification) throws -> (
    DicomVideo, BurnedInPolicy.Decision
  ) {
    let video = try DicomVideo.inspect(url)
    let decision = try BurnedInPolicy.decide(
      video, file: url.path, explicit: options.explicitMasks, rules: options.rules,
      acceptBurnedIn: options.acceptBurnedIn)
    return (video, decision)
  }

  /// Writes the de-identified copy of `input` to `output` (replaced if present; removed on failure).
  public static func write(_ input: URL, to output: URL, options: DicomDeidentification) throws
    -> DicomDeidentified
  {
    do {
      return try writeUnchecked(input, to: output, options: options)
    } catch {
      try? FileManager.default.removeItem(at: output)
      throw error
    }
  }

  private static func writeUnchecked(_ input: URL, to output: URL, options: DicomDeidentification) throws
    -> DicomDeidentified
  {
    let path = input.path
    // Without its table the profile would keep everything: never write then.
    guard !ConfidentialityProfile.basic.entries.isEmpty else {
      throw DicomError.cannotWrite(file: path, reason: "this build has no confidentiality profile table")
    }
    // Two handles on the original: one is rewritten and written without its pixel data, the other
    // supplies the frames.
    let source = try DicomFile(url: input)
    let video = try DicomVideo.inspect(source)
    let decision = try BurnedInPolicy.decide(
      video, file: path, explicit: options.explicitMasks, rules: options.rules,
      acceptBurnedIn: options.acceptBurnedIn)
    let frames = FrameReader(file: source)
    let layout = try frames.begin()

    let header = try DicomFile(url: input)
    let originalSyntax = header.transferSyntaxUID
    let rewriter = HeaderRewriter(
      profile: .basic, identity: options.identity,
      shiftDays: options.identity.dateShiftDays(patient: options.patientCode))
    try header.check({ DicomError.cannotWrite(file: path, reason: $0) }) { error, size in
      pleura_dicom_rewrite(
        header.handle, HeaderRewriter.visitor, Unmanaged.passUnretained(rewriter).toOpaque(), error, size)
    }
    var masked = false
    var burnedIn = false
    switch decision {
    case .mask: masked = true
    case .unmasked(let remains, _): burnedIn = remains
    }
    try markDeidentified(
      header, path: path, masked: masked, burnedIn: burnedIn, samples: layout.samples, frames: layout.frames,
      lossy: lossyTransferSyntaxes.contains(originalSyntax))

    var failure = [CChar](repeating: 0, count: 512)
    guard
      let writer = pleura_dicom_writer_begin(
        header.handle, output.path, Int32(layout.width), Int32(layout.height), Int32(layout.samples),
        layout.frames, &failure, failure.count)
    else { throw DicomError.cannotWrite(file: path, reason: DicomFile.text(failure)) }
    var finished = false
    defer { if !finished { pleura_dicom_writer_abandon(writer) } }
    var buffer = [UInt8](repeating: 0, count: layout.frameBytes)
    for index in 0..<layout.frames {
      try frames.decode(index, into: &buffer)
      if case .mask(let mask) = decision { mask.apply(to: &buffer, samples: layout.samples) }
      let added = buffer.withUnsafeBufferPointer {
        pleura_dicom_writer_add(writer, $0.baseAddress, &failure, failure.count)
      }
      if added != 0 { throw DicomError.cannotWrite(file: path, reason: DicomFile.text(failure)) }
    }
    finished = true
    if pleura_dicom_writer_finish(writer, &failure, failure.count) != 0 {
      throw DicomError.cannotWrite(file: path, reason: DicomFile.text(failure))
    }
    return DicomDeidentified(
      original: video, decision: decision, removedElements: rewriter.removed,
      replacedUIDs: rewriter.replacedUIDs,
      shiftedDates: rewriter.shiftedDates, sopInstanceUID: header.trimmed(.sopInstanceUID) ?? "")
  }

  /// The attributes that say what was done, and the Image Pixel module of the frames written.
  private static func markDeidentified(
    _ file: DicomFile, path: String, masked: Bool, burnedIn: Bool, samples: Int, frames: Int, lossy: Bool
  ) throws {
    func put(_ tag: DicomTag, _ value: String) throws {
      try file.check({ DicomError.cannotWrite(file: path, reason: $0) }) {
        pleura_dicom_put(file.handle, tag.group, tag.element, value, $0, $1)
      }
    }
    func code(_ value: String, _ meaning: String) throws {
      let sequence = DicomTag.deidentificationMethodCodeSequence
      try file.check({ DicomError.cannotWrite(file: path, reason: $0) }) {
        pleura_dicom_append_code(file.handle, sequence.group, sequence.element, value, "DCM", meaning, $0, $1)
      }
    }
    try put(.patientName, "")
    try put(.patientID, "")
    try put(.patientIdentityRemoved, "YES")
    try put(
      .deidentificationMethod,
      "Pleura " + PlatformVersion.current + ": PS3.15 E Basic Profile" + (masked ? ", pixels masked" : ""))
    pleura_dicom_remove(file.handle, 0x0012, 0x0064)
    try code("113100", "Basic Application Confidentiality Profile")
    try code("113107", "Retain Longitudinal Temporal Information Modified Dates Option")
    if masked { try code("113101", "Clean Pixel Data Option") }
    try put(.longitudinalTemporalInformationModified, "MODIFIED")
    try put(.burnedInAnnotation, burnedIn ? "YES" : "NO")

    // The frames are written as DCMTK renders them: 8 bits, grey or RGB.
    for element: UInt16 in [
      0x0106, 0x0107, 0x0108, 0x0109, 0x1050, 0x1051, 0x1052, 0x1053, 0x1054, 0x1055, 0x1056, 0x1101, 0x1102,
      0x1103, 0x1199, 0x1201, 0x1202, 0x1203, 0x1221, 0x1222, 0x1223, 0x3000, 0x3010, 0x7FE0,
    ] {
      pleura_dicom_remove(file.handle, 0x0028, element)
    }
    try put(.samplesPerPixel, String(samples))
    try put(.photometricInterpretation, samples == 1 ? "MONOCHROME2" : "RGB")
    if samples == 3 {
      try put(.planarConfiguration, "0")
    } else {
      pleura_dicom_remove(file.handle, 0x0028, 0x0006)
    }
    try put(.numberOfFrames, String(frames))
    try put(.bitsAllocated, "8")
    try put(.bitsStored, "8")
    try put(.highBit, "7")
    try put(.pixelRepresentation, "0")
    if lossy { try put(.lossyImageCompression, "01") }
  }
}
