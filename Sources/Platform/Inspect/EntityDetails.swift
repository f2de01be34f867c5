import Foundation
import GRDB

/// One entity as `pleura show` prints it: its columns, the run that made it and the runs that
/// used it. Column names are given in camelCase (`blobSha256`), the key convention of all JSON
/// that Pleura prints.
public struct EntityDetails: Codable, Sendable {
  public var kind: EntityKind
  public var id: String
  public var fields: [String: JSONValue]
  public var madeBy: [String]
  public var usedBy: [String]

  public static func read(_ ref: EntityRef, in catalog: Catalog) throws -> EntityDetails {
    try catalog.database.read { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT * FROM \(ref.kind.table) WHERE id = ?", arguments: [ref.id])
      else { throw CatalogError.unknownID(ref.id) }
      var fields: [String: JSONValue] = [:]
      for (column, value) in row { fields[camelCase(column)] = JSONValue(value) }
      let edges = try RunEdge.all().edges(ofEntity: ref.id).fetchAll(db)
      return EntityDetails(
        kind: ref.kind, id: ref.id, fields: fields,
        madeBy: edges.filter { $0.direction == .output }.map(\.runId),
        usedBy: edges.filter { $0.direction == .input }.map(\.runId))
    }
  }

  /// `blob_sha256` → `blobSha256`.
  static func camelCase(_ column: String) -> String {
    let words = column.split(separator: "_")
    guard let first = words.first else { return column }
    return String(first) + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }
}

/// A database value as JSON: numbers, text, null; JSON-looking text columns stay text.
public enum JSONValue: Codable, Sendable, Equatable, CustomStringConvertible {
  case null
  case integer(Int64)
  case number(Double)
  case text(String)

  init(_ value: DatabaseValue) {
    switch value.storage {
    case .null: self = .null
    case .int64(let int): self = .integer(int)
    case .double(let double): self = .number(double)
    case .string(let string): self = .text(string)
    case .blob(let data): self = .text("<\(data.count) bytes>")
    }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .integer(let int): try container.encode(int)
    case .number(let double): try container.encode(double)
    case .text(let string): try container.encode(string)
    }
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let int = try? container.decode(Int64.self) {
      self = .integer(int)
    } else if let double = try? container.decode(Double.self) {
      self = .number(double)
    } else {
      self = .text(try container.decode(String.self))
    }
  }

  public var description: String {
    switch self {
    case .null: "-"
    case .integer(let int): "\(int)"
    case .number(let double): "\(double)"
    case .text(let string): string
    }
  }
}
