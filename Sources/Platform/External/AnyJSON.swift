import Foundation

/// Any JSON value, typed: what an external plugin's parameters, metadata and metrics are made of.
/// Numbers keep whether they were written whole, so that an `int` parameter stays an integer.
public indirect enum AnyJSON: Codable, Sendable, Equatable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([AnyJSON])
  case object([String: AnyJSON])

  public init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let bool = try? container.decode(Bool.self) {
      self = .bool(bool)
    } else if let int = try? container.decode(Int64.self) {
      self = .integer(int)
    } else if let double = try? container.decode(Double.self) {
      self = .number(double)
    } else if let string = try? container.decode(String.self) {
      self = .string(string)
    } else if let array = try? container.decode([AnyJSON].self) {
      self = .array(array)
    } else {
      self = .object(try container.decode([String: AnyJSON].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let bool): try container.encode(bool)
    case .integer(let int): try container.encode(int)
    case .number(let double): try container.encode(double)
    case .string(let string): try container.encode(string)
    case .array(let array): try container.encode(array)
    case .object(let object): try container.encode(object)
    }
  }

  public var stringValue: String? {
    if case .string(let string) = self { return string }
    return nil
  }

  public var intValue: Int64? {
    if case .integer(let int) = self { return int }
    return nil
  }

  /// An integer or a number, as a double.
  public var doubleValue: Double? {
    switch self {
    case .integer(let int): Double(int)
    case .number(let double): double
    default: nil
    }
  }

  public var boolValue: Bool? {
    if case .bool(let bool) = self { return bool }
    return nil
  }

  public var objectValue: [String: AnyJSON]? {
    if case .object(let object) = self { return object }
    return nil
  }

  /// Canonical JSON text (sorted keys), as the catalog stores JSON.
  public func canonicalText() throws -> String { try CanonicalJSON.encode(self) }
}
