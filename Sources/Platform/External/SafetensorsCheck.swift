import Foundation

/// Checks that a file is a well-formed safetensors file before it is stored as a model's weights:
/// a bounded JSON header whose tensors have known dtypes, and shapes that match their byte ranges,
/// which tile the data exactly. (Platform does not import the engine, which reads the tensors.)
enum SafetensorsCheck {
  static let maxHeaderBytes: UInt64 = 100 << 20
  static let dtypeSizes: [String: Int] = [
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
  ]

  /// Why the file is not usable safetensors, or nil; on success, the number of tensors.
  static func problem(at url: URL) -> String? {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return "cannot be read" }
    defer { try? handle.close() }
    guard let size = try? handle.seekToEnd(), (try? handle.seek(toOffset: 0)) != nil else {
      return "cannot be read"
    }
    guard size >= 8, let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else {
      return "is not safetensors (shorter than its 8-byte header length)"
    }
    let headerLength = prefix.enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    guard headerLength <= maxHeaderBytes, headerLength <= size - 8 else {
      return "is not safetensors (header length \(headerLength) does not fit the file of \(size) bytes)"
    }
    guard let header = try? handle.read(upToCount: Int(headerLength)), header.count == Int(headerLength),
      let parsed = try? JSONDecoder().decode(AnyJSON.self, from: header), let tensors = parsed.objectValue
    else { return "is not safetensors (its header is not a JSON object)" }
    let dataBytes = size - 8 - headerLength
    var ranges: [(UInt64, UInt64)] = []
    for (name, value) in tensors where name != "__metadata__" {
      let shown = "tensor '\(name.prefix(80))'"
      guard let tensor = value.objectValue, let dtype = tensor["dtype"]?.stringValue,
        let elementSize = dtypeSizes[dtype]
      else { return "\(shown) has no known dtype (" + dtypeSizes.keys.sorted().joined(separator: ", ") + ")" }
      guard case .array(let dims)? = tensor["shape"], dims.count <= 8 else { return "\(shown) has no shape" }
      var elements: UInt64 = 1
      for dim in dims {
        guard let value = dim.intValue, value >= 0 else {
          return "\(shown) has a shape that is not whole numbers"
        }
        let (product, overflow) = elements.multipliedReportingOverflow(by: UInt64(value))
        guard !overflow else { return "\(shown) has an absurd shape" }
        elements = product
      }
      guard case .array(let offsets)? = tensor["data_offsets"], offsets.count == 2,
        let begin = offsets[0].intValue, let end = offsets[1].intValue, begin >= 0, end >= begin
      else { return "\(shown) has no valid data_offsets" }
      let (bytes, overflow) = elements.multipliedReportingOverflow(by: UInt64(elementSize))
      guard !overflow, UInt64(end - begin) == bytes else {
        return
          "\(shown) has shape \(dims.compactMap(\.intValue)) of \(dtype) (\(bytes) bytes) but \(end - begin) bytes of data"
      }
      ranges.append((UInt64(begin), UInt64(end)))
    }
    guard !ranges.isEmpty else { return "holds no tensors" }
    var position: UInt64 = 0
    for (begin, end) in ranges.sorted(by: { $0.0 < $1.0 }) {
      guard begin == position else { return "has tensor data that overlaps or leaves gaps at byte \(begin)" }
      position = end
    }
    guard position == dataBytes else {
      return "has \(dataBytes) bytes of tensor data but its tensors account for \(position)"
    }
    return nil
  }
}
