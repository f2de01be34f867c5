import Foundation

/// NumPy `.npy` version 1.0 files: a magic string, a little header dict, raw C-order data.
/// `numpy.load` opens what this writes as it is.
public enum NPY {
  public enum DType: String, Sendable {
    case uint8 = "|u1"
    case float32 = "<f4"
    case int64 = "<i8"

    var size: Int {
      switch self {
      case .uint8: 1
      case .float32: 4
      case .int64: 8
      }
    }
  }

  /// Header length reserved by ``StreamWriter`` so the shape can be rewritten in place.
  static let reservedHeaderLength = 128

  /// The header for an array; `reserve` pads it to at least that many bytes in total.
  public static func header(dtype: DType, shape: [Int], reserve: Int = 0) -> Data {
    let shapeText =
      shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
    let prefix = 10  // magic (6) + version (2) + header length (2)
    var total = prefix + dict.utf8.count + 1
    let target = max(reserve, ((total + 63) / 64) * 64)
    total = max(total, target)
    dict += String(repeating: " ", count: total - prefix - dict.utf8.count - 1) + "\n"
    var data = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
    let length = UInt16(dict.utf8.count)
    data.append(UInt8(length & 0xFF))
    data.append(UInt8(length >> 8))
    data.append(Data(dict.utf8))
    return data
  }

  public static func encode(uint8 values: [UInt8], shape: [Int]) -> Data {
    header(dtype: .uint8, shape: shape) + Data(values)
  }

  public static func encode(float32 values: [Float], shape: [Int]) -> Data {
    var data = header(dtype: .float32, shape: shape)
    values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
    return data
  }

  /// Writes an array whose first dimension grows as rows are appended; `finish` rewrites the
  /// header with the final count.
  public final class StreamWriter {
    let handle: FileHandle
    let dtype: DType
    let rowShape: [Int]
    public private(set) var rows = 0
    private var closed = false

    public init(url: URL, dtype: DType, rowShape: [Int]) throws {
      guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
        throw BlobStoreError.io(path: url.path, reason: "cannot be created")
      }
      handle = try FileHandle(forWritingTo: url)
      self.dtype = dtype
      self.rowShape = rowShape
      try handle.write(
        contentsOf: NPY.header(dtype: dtype, shape: [0] + rowShape, reserve: NPY.reservedHeaderLength))
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
      let rowBytes = rowShape.reduce(dtype.size, *)
      guard rowBytes > 0, bytes.count % rowBytes == 0 else {
        throw BlobStoreError.io(path: "an .npy array", reason: "appended data is not a whole number of rows")
      }
      try handle.write(contentsOf: Data(bytes))
      rows += bytes.count / rowBytes
    }

    public func finish() throws {
      try handle.seek(toOffset: 0)
      try handle.write(
        contentsOf: NPY.header(dtype: dtype, shape: [rows] + rowShape, reserve: NPY.reservedHeaderLength))
      try handle.synchronize()
      close()
    }

    /// Closes the file without finishing it (a failed write); `finish` closes it too.
    public func close() {
      guard !closed else { return }
      closed = true
      try? handle.close()
    }
  }

  /// Reads the header of an `.npy` file: dtype descr, shape and where the data starts.
  public static func readHeader(_ data: Data) -> (descr: String, shape: [Int], dataOffset: Int)? {
    guard data.count >= 10, data.prefix(6) == Data([0x93]) + Data("NUMPY".utf8) else { return nil }
    let length = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
    guard data.count >= 10 + length else { return nil }
    let text = String(decoding: data[(data.startIndex + 10)..<(data.startIndex + 10 + length)], as: UTF8.self)
    guard let descrRange = text.range(of: "'descr': '"), let shapeStart = text.range(of: "'shape': (") else {
      return nil
    }
    let descr = text[descrRange.upperBound...].prefix { $0 != "'" }
    let shapeText = text[shapeStart.upperBound...].prefix { $0 != ")" }
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    return (String(descr), shape, 10 + length)
  }
}
