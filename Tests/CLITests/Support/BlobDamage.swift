import Foundation
import Platform
import Primitives
import TestSupport

/// Ways a blob's bytes can go wrong on disk behind the catalog's back.
enum BlobDamage: String, CaseIterable, Sendable {
  /// Cut short at a random length (a copy that stopped, a full disk).
  case truncated
  /// A few bytes changed in place, size kept (bit rot, a stray write).
  case overwritten
  /// Replaced by another blob's bytes of the same kind: a valid file, the wrong content.
  case replaced
  /// Emptied.
  case emptied

  /// Damages `blob` in `catalog`; `other` is a blob of the same kind for `replaced`, whose bytes
  /// are taken from `originals` when there (several blobs replaced by each other in turn).
  /// Returns what was done, for a failure message.
  @discardableResult
  func apply(
    to blob: String, other: String, in catalog: URL, originals: [String: Data] = [:],
    generator: inout SeededGenerator
  ) throws -> String {
    let url = Self.path(of: blob, in: catalog)
    chmod(url.path, 0o644)
    var data = try Data(contentsOf: url)
    let size = data.count
    switch self {
    case .truncated:
      data = data.prefix(Int(generator.next() % UInt64(max(size, 1))))
    case .overwritten:
      let offset = Int(generator.next() % UInt64(max(size, 1)))
      for index in offset..<min(size, offset + 8) { data[index] ^= UInt8(1 + generator.next() % 255) }
    case .replaced:
      data = try originals[other] ?? Data(contentsOf: Self.path(of: other, in: catalog))
    case .emptied:
      data = Data()
    }
    try data.write(to: url)
    chmod(url.path, 0o444)
    return "\(rawValue) \(blob.prefix(12)) (\(size) -> \(data.count) bytes)"
  }

  static func path(of blob: String, in catalog: URL) -> URL {
    catalog.appendingPathComponent("objects/\(blob.prefix(2))/\(blob)")
  }
}
