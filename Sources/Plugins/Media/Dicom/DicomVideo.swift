import CDicomLazy
import Foundation
import Platform

/// What a DICOM ultrasound cine loop is, checked: Pleura reads it only when every fact holds.
public struct DicomVideo: Sendable, Equatable {
  /// DCMTK's name of the transfer syntax, e.g. "JPEG Baseline", "Little Endian Explicit".
  public var transferSyntax: String
  public var photometricInterpretation: String
  public var width: Int
  public var height: Int
  public var frameCount: Int
  public var frameRate: VideoRational
  /// Samples per pixel of the decoded frames: 1 (grey) or 3 (RGB).
  public var renderedSamples: Int
  /// Burned In Annotation (0028,0301) as written ("YES", "NO"), or nil when the header is silent.
  public var burnedInAnnotation: String?
  /// The Sequence of Ultrasound Regions' rectangles, clamped to the frame (empty ones dropped).
  public var regions: [PixelRect]
  public var manufacturer: String
  public var model: String

  public var durationSeconds: Double { Double(frameCount) / frameRate.doubleValue }

  /// SOP classes of ultrasound images: multi-frame (current and retired) and single-frame.
  static let multiFrameClasses: Set<String> = ["1.2.840.10008.5.1.4.1.1.3.1", "1.2.840.10008.5.1.4.1.1.3"]
  static let singleFrameClasses: Set<String> = ["1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.6"]
  static let photometricInterpretations: Set<String> = [
    "MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422", "PALETTE COLOR", "YBR_RCT", "YBR_ICT",
  ]
  /// The largest frame side accepted: far beyond any scanner, small enough that a damaged header
  /// cannot ask for gigabytes per frame.
  static let maximumSide = 8192

  /// Opens `url` and checks that it is an ultrasound cine loop Pleura can decode, decoding its first
  /// and last frames.
  /// - Throws: `DicomError` naming the first problem found.
  public static func inspect(_ url: URL) throws -> DicomVideo {
    try inspect(try DicomFile(url: url))
  }

  static func inspect(_ file: DicomFile) throws -> DicomVideo {
    let path = file.url.path
    let modality = file.trimmed(.modality) ?? ""
    guard modality == "US" else { throw DicomError.notUltrasound(file: path, modality: printable(modality)) }
    let sopClass = file.trimmed(.sopClassUID) ?? ""
    if singleFrameClasses.contains(sopClass) { throw DicomError.stillImage(file: path) }
    guard multiFrameClasses.contains(sopClass) else {
      throw DicomError.notUltrasoundStorage(
        file: path, sopClass: sopClass.isEmpty ? "not stated" : printable(sopClass))
    }
    guard file.transferSyntaxDecodable else {
      throw DicomError.unsupportedTransferSyntax(
        file: path, name: "\(file.transferSyntaxName) (\(printable(file.transferSyntaxUID)))")
    }
    let image = try checkImage(file)
    guard let rate = DicomFrameRate.rate(of: file) else { throw DicomError.noFrameRate(file: path) }

    let frames = FrameReader(file: file)
    let layout = try frames.begin()
    guard layout.width == image.width, layout.height == image.height, layout.frames == image.frames else {
      throw DicomError.undecodable(file: path, reason: "the decoded image does not match the header")
    }
    var buffer = [UInt8](repeating: 0, count: layout.frameBytes)
    try frames.decode(0, into: &buffer)
    if layout.frames > 1 { try frames.decode(layout.frames - 1, into: &buffer) }

    let regions = (0..<file.itemCount(.sequenceOfUltrasoundRegions)).compactMap { item in
      region(item, of: file, width: image.width, height: image.height)
    }
    return DicomVideo(
      transferSyntax: file.transferSyntaxName, photometricInterpretation: image.photometric,
      width: image.width, height: image.height, frameCount: image.frames, frameRate: rate,
      renderedSamples: layout.samples, burnedInAnnotation: file.trimmed(.burnedInAnnotation)?.uppercased(),
      regions: regions, manufacturer: file.trimmed(.manufacturer) ?? "",
      model: file.trimmed(.manufacturerModelName) ?? "")
  }

  private struct ImageFacts {
    var width: Int
    var height: Int
    var frames: Int
    var photometric: String
  }

  /// The Image Pixel attributes, and pixel data long enough for every frame the header declares.
  private static func checkImage(_ file: DicomFile) throws -> ImageFacts {
    let path = file.url.path
    func unsupported(_ reason: String) -> DicomError { .unsupportedImage(file: path, reason: reason) }
    guard let rows = file.integer(.rows), let columns = file.integer(.columns), rows > 0, columns > 0 else {
      throw unsupported("the header gives no frame size (Rows, Columns)")
    }
    guard rows <= maximumSide, columns <= maximumSide else {
      throw unsupported("frames of \(columns)x\(rows) are larger than \(maximumSide)x\(maximumSide)")
    }
    let photometric = file.trimmed(.photometricInterpretation) ?? ""
    guard photometricInterpretations.contains(photometric) else {
      throw unsupported("photometric interpretation '\(printable(photometric))' is not supported")
    }
    let samples = file.integer(.samplesPerPixel) ?? 1
    let bits = file.integer(.bitsAllocated) ?? 0
    guard samples == 1 || samples == 3 else { throw unsupported("\(samples) samples per pixel") }
    guard bits == 8 || bits == 16 else { throw unsupported("\(bits) bits allocated per sample") }
    let frames = file.integer(.numberOfFrames) ?? 1
    guard frames > 1 else {
      if frames == 1 { throw DicomError.stillImage(file: path) }
      throw unsupported("Number of Frames is \(frames)")
    }
    switch file.pixelDataExtent {
    case nil:
      throw unsupported("there is no pixel data")
    case .native(let bytes):
      // YBR_FULL_422 stores two luma samples and one pair of chroma samples per two pixels.
      let samplesPerFrame = photometric == "YBR_FULL_422" ? rows * columns * 2 : rows * columns * samples
      let frameBytes = samplesPerFrame * bits / 8
      if bytes / frameBytes < frames {
        throw DicomError.frameCountBeyondData(file: path, declared: frames, available: bytes / frameBytes)
      }
    case .encapsulated(let fragments):
      // Each frame takes at least one fragment of its own.
      if fragments < frames {
        throw DicomError.frameCountBeyondData(file: path, declared: frames, available: fragments)
      }
    }
    return ImageFacts(width: columns, height: rows, frames: frames, photometric: photometric)
  }

  /// Item `item` of the Sequence of Ultrasound Regions as a rectangle clamped to the frame.
  private static func region(_ item: Int, of file: DicomFile, width: Int, height: Int) -> PixelRect? {
    let sequence = DicomTag.sequenceOfUltrasoundRegions
    let values = [DicomTag.regionMinX0, .regionMinY0, .regionMaxX1, .regionMaxY1].map {
      file.string($0, inItem: item, of: sequence).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
    guard let x0 = values[0], let y0 = values[1], let x1 = values[2], let y1 = values[3] else { return nil }
    // Max X1 / Max Y1 are inclusive pixel coordinates.
    let left = max(0, min(x0, width))
    let top = max(0, min(y0, height))
    let right = max(0, min(x1 + 1, width))
    let bottom = max(0, min(y1 + 1, height))
    guard right > left, bottom > top else { return nil }
    return PixelRect(x: left, y: top, width: right - left, height: bottom - top)
  }

  /// Header text quoted in a message: printable ASCII only, at most 64 characters.
  static func printable(_ text: String) -> String {
    let cleaned = String(
      text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    return cleaned.count > 64 ? String(cleaned.prefix(64)) + "..." : cleaned
  }
}
