import CDicomLazy
import Foundation
import Platform

/// One DICOM file opened through DCMTK: the header in memory, pixel data read when asked for.
///
/// ```swift
/// let file = try DicomFile(url: clip)
/// file.string(.modality)  // "US"
/// ```
/// Not thread-safe: use one instance from one thread at a time.
public final class DicomFile {
  public let url: URL
  let handle: OpaquePointer

  /// Whether `url` starts like a DICOM file: the Part 10 preamble and "DICM", or a bare dataset
  /// whose first element is in group 0002 or 0008 (little endian) with an explicit VR of two
  /// capitals or a small implicit length. Reads 132 bytes, without loading DCMTK.
  public static func looksLikeDicom(_ url: URL) -> Bool {
    // Only regular files: a device would hand out bytes that could look like anything.
    guard case .regular = FileKind.of(url.path), let handle = try? FileHandle(forReadingFrom: url) else {
      return false
    }
    defer { try? handle.close() }
    guard let head = try? handle.read(upToCount: 132).map({ [UInt8]($0) }), head.count >= 8 else {
      return false
    }
    if head.count == 132, head[128...] == [0x44, 0x49, 0x43, 0x4D] { return true }
    let group = UInt16(head[0]) | UInt16(head[1]) << 8
    guard group == 0x0002 || group == 0x0008 else { return false }
    let capital = UInt8(ascii: "A")...UInt8(ascii: "Z")
    return (capital.contains(head[4]) && capital.contains(head[5])) || (head[6] == 0 && head[7] == 0)
  }

  /// Opens and parses `url`.
  /// - Throws: `DicomError.notDicom` when DCMTK cannot parse it.
  public init(url: URL) throws {
    self.url = url
    var error = [CChar](repeating: 0, count: 512)
    guard let handle = pleura_dicom_open(url.path, &error, error.count) else {
      throw DicomError.notDicom(file: url.path, reason: DicomFile.text(error))
    }
    self.handle = handle
  }

  deinit { pleura_dicom_close(handle) }

  /// The transfer syntax DCMTK read the dataset in: UID and name (e.g. "JPEG Baseline").
  public var transferSyntaxUID: String { String(cString: pleura_dicom_transfer_syntax_uid(handle)) }
  public var transferSyntaxName: String { String(cString: pleura_dicom_transfer_syntax_name(handle)) }
  /// Whether DCMTK, as built and registered here, can decode this transfer syntax.
  public var transferSyntaxDecodable: Bool { pleura_dicom_transfer_syntax_decodable(handle) == 1 }

  /// The text of a top-level element (all values, '\'-separated, trailing spaces kept), or nil.
  public func string(_ tag: DicomTag) -> String? {
    Self.read { pleura_dicom_string(handle, tag.group, tag.element, $0, $1) }
  }

  /// The text of `tag` inside item `item` of the top-level `sequence`.
  public func string(_ tag: DicomTag, inItem item: Int, of sequence: DicomTag) -> String? {
    Self.read {
      pleura_dicom_item_string(
        handle, sequence.group, sequence.element, UInt(item), tag.group, tag.element, $0, $1)
    }
  }

  /// The trimmed text of a top-level element; nil when absent or empty.
  public func trimmed(_ tag: DicomTag) -> String? {
    let value = string(tag)?.trimmingCharacters(in: .whitespaces)
    return value?.isEmpty == false ? value : nil
  }

  /// The number of items in a top-level sequence (0 when absent).
  public func itemCount(_ sequence: DicomTag) -> Int {
    Int(pleura_dicom_item_count(handle, sequence.group, sequence.element))
  }

  /// The first value of a top-level integer element (US, SS, UL, SL or IS).
  public func integer(_ tag: DicomTag) -> Int? {
    var value = 0
    return pleura_dicom_integer(handle, tag.group, tag.element, &value) == 1 ? value : nil
  }

  /// Pixel data as stored: `.native(bytes)` or `.encapsulated(fragments)`; nil when absent.
  public var pixelDataExtent: PixelDataExtent? {
    var encapsulated: Int32 = 0
    let extent = pleura_dicom_pixel_data_extent(handle, &encapsulated)
    guard extent >= 0 else { return nil }
    return encapsulated == 1 ? .encapsulated(fragments: extent) : .native(bytes: extent)
  }

  public enum PixelDataExtent: Equatable, Sendable {
    case native(bytes: Int)
    case encapsulated(fragments: Int)
  }

  /// Calls a C reader with a buffer, growing it once when the value is longer.
  static func read(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int) -> String? {
    var buffer = [CChar](repeating: 0, count: 256)
    let length = body(&buffer, buffer.count)
    guard length >= 0 else { return nil }
    if length >= buffer.count {
      buffer = [CChar](repeating: 0, count: length + 1)
      _ = body(&buffer, buffer.count)
    }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The NUL-terminated text in a C buffer.
  static func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Runs a C call that reports failure as -1 with a message, as a Swift error.
  func check(_ makeError: (String) -> Error, _ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    var error = [CChar](repeating: 0, count: 512)
    if body(&error, error.count) != 0 { throw makeError(DicomFile.text(error)) }
  }
}
