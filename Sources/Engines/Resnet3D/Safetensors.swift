// Weights in safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}},
// then the raw little-endian data. `safetensors.numpy.load_file` reads what this writes.

import Foundation

/// One float32 tensor read from or written to a safetensors file.
public struct NamedTensor: Equatable, Sendable {
  public var name: String
  public var shape: [Int]
  public var values: [Float]

  public init(name: String, shape: [Int], values: [Float]) {
    self.name = name
    self.shape = shape
    self.values = values
  }
}

/// Minimal float32 safetensors reader and writer.
public enum SafeTensors {
  /// Writes tensors in the given order, with string metadata.
  public static func write(_ tensors: [NamedTensor], metadata: [String: String], to url: URL) throws {
    var header = "{\"__metadata__\":{"
    header += metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }
      .joined(separator: ",")
    header += "}"
    var offset = 0
    for t in tensors {
      let bytes = t.values.count * 4
      header +=
        ",\(quote(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
      header += "\"data_offsets\":[\(offset),\(offset + bytes)]}"
      offset += bytes
    }
    header += "}"
    while (header.utf8.count + 8) % 8 != 0 { header += " " }
    var data = Data()
    data.reserveCapacity(8 + header.utf8.count + offset)
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    for t in tensors {
      t.values.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    try data.write(to: url, options: .atomic)
  }

  /// Reads every tensor (float32 only) and the metadata.
  public static func read(from url: URL) throws -> (tensors: [NamedTensor], metadata: [String: String]) {
    try read(data: try Data(contentsOf: url))
  }

  /// Reads every tensor (float32 only) and the metadata from bytes already in memory (weights
  /// read from the blob store, checked against their hash on the way).
  public static func read(data: Data) throws -> (tensors: [NamedTensor], metadata: [String: String]) {
    guard data.count >= 8 else { throw ResNet3DError.malformedWeights("file shorter than 8 bytes") }
    let length = data.prefix(8).enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    guard length <= UInt64(data.count - 8) else {
      throw ResNet3DError.malformedWeights("header length \(length) exceeds the file")
    }
    let headerData = data.subdata(in: 8..<(8 + Int(length)))
    guard let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
      throw ResNet3DError.malformedWeights("header is not a JSON object")
    }
    let body = data.subdata(in: (8 + Int(length))..<data.count)
    var metadata: [String: String] = [:]
    var tensors: [(offset: Int, tensor: NamedTensor)] = []
    for (name, value) in header {
      if name == "__metadata__" {
        metadata = (value as? [String: String]) ?? [:]
        continue
      }
      guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
        let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
        offsets.count == 2
      else { throw ResNet3DError.malformedWeights("entry of '\(name)' lacks dtype, shape or data_offsets") }
      guard dtype == "F32" else { throw ResNet3DError.dtypeMismatch(tensor: name, found: dtype) }
      let count = shape.reduce(1, *)
      guard offsets[0] >= 0, offsets[1] <= body.count, offsets[1] - offsets[0] == count * 4 else {
        throw ResNet3DError.malformedWeights("data_offsets of '\(name)' do not match its shape")
      }
      var values = [Float](repeating: 0, count: count)
      values.withUnsafeMutableBytes { out in
        body.withUnsafeBytes { raw in
          out.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offsets[0]..<offsets[1]]))
        }
      }
      tensors.append((offsets[0], NamedTensor(name: name, shape: shape, values: values)))
    }
    return (tensors.sorted { $0.offset < $1.offset }.map(\.tensor), metadata)
  }

  private static func quote(_ s: String) -> String {
    var out = "\""
    for ch in s.unicodeScalars {
      switch ch {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      default: out.unicodeScalars.append(ch)
      }
    }
    return out + "\""
  }
}

// MARK: - Model weights

extension ResNet3D {
  /// Metadata key holding `ResNet3DConfig.architecture`.
  public static let architectureKey = "pleura.resnet3d.architecture"

  /// Saves every tensor (Keras names, Keras shapes, float32) with the architecture in metadata.
  public func save(to url: URL) throws {
    let tensors = parameters.map { NamedTensor(name: $0.name, shape: $0.shape, values: $0.values) }
    try SafeTensors.write(
      tensors, metadata: [Self.architectureKey: config.architecture, "format": "keras-resnet3d"], to: url)
  }

  /// Loads weights saved by `save(to:)` (or written by the Keras parity script). Refuses, naming the
  /// tensor, a file whose architecture, tensor set, shapes or dtypes differ; nothing is changed then.
  public func load(from url: URL) throws {
    try load(from: try Data(contentsOf: url))
  }

  /// Loads weights from the bytes of a safetensors file, with the checks of `load(from:)`.
  public func load(from data: Data) throws {
    let (tensors, metadata) = try SafeTensors.read(data: data)
    if let arch = metadata[Self.architectureKey], arch != config.architecture {
      throw ResNet3DError.architectureMismatch(expected: config.architecture, found: arch)
    }
    let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let params = parameters
    let known = Set(params.map(\.name))
    if let extra = tensors.first(where: { !known.contains($0.name) }) {
      throw ResNet3DError.unexpectedTensor(extra.name)
    }
    // Every tensor is checked before any parameter changes.
    let loaded = try params.map { p in
      guard let t = byName[p.name] else { throw ResNet3DError.missingTensor(p.name) }
      guard t.shape == p.shape else {
        throw ResNet3DError.shapeMismatch(tensor: p.name, expected: p.shape, found: t.shape)
      }
      return (p, t)
    }
    for (p, t) in loaded { p.setValues(t.values) }
  }
}
