import Foundation

public enum JSONRewriteError: Error, CustomStringConvertible {
  case malformed(String)
  public var description: String { "not valid JSON: \(self.reason)" }
  var reason: String {
    switch self {
    case .malformed(let reason): reason
    }
  }
}

/// Rewrites the strings of a JSON text — keys and values — and copies everything else byte for
/// byte, so numbers, order and spacing stay exactly as they were (run parameters are canonical
/// JSON; re-encoding them through a parser could change how a number is written). Only strings
/// that change are re-encoded, the way `CanonicalJSON` writes them.
enum JSONStringRewriter {
  /// `value(key, string)` is called for every string value with the key of the object member it
  /// belongs to (for values in arrays, the array's key; nil at the top); `key(string)` for every
  /// key. Each returns the new string.
  static func rewrite(
    _ json: String, key rewriteKey: (String) -> String, value rewriteValue: (String?, String) -> String
  ) throws -> String {
    enum Frame {
      case object(key: String?, expectingKey: Bool)
      case array(key: String?)
    }
    let bytes = Array(json.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var stack: [Frame] = []
    var index = 0
    func contextKey() -> String? {
      switch stack.last {
      case .object(let key, _): key
      case .array(let key): key
      case nil: nil
      }
    }
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "{"):
        stack.append(.object(key: nil, expectingKey: true))
      case UInt8(ascii: "["):
        stack.append(.array(key: contextKey()))
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        guard stack.popLast() != nil else { throw JSONRewriteError.malformed("unbalanced brackets") }
      case UInt8(ascii: ":"):
        if case .object(let key, _) = stack.last {
          stack[stack.count - 1] = .object(key: key, expectingKey: false)
        }
      case UInt8(ascii: ","):
        if case .object(let key, _) = stack.last {
          stack[stack.count - 1] = .object(key: key, expectingKey: true)
        }
      case UInt8(ascii: "\""):
        let end = try closingQuote(bytes, from: index)
        let literal = Array(bytes[index...end])
        let text = try decode(literal)
        let rewritten: String
        if case .object(_, true) = stack.last {
          rewritten = rewriteKey(text)
          stack[stack.count - 1] = .object(key: text, expectingKey: false)
        } else {
          rewritten = rewriteValue(contextKey(), text)
        }
        out += rewritten == text ? literal : encode(rewritten)
        index = end + 1
        continue
      default:
        break
      }
      out.append(byte)
      index += 1
    }
    guard stack.isEmpty else { throw JSONRewriteError.malformed("unbalanced brackets") }
    return String(decoding: out, as: UTF8.self)
  }

  /// Every string value with its key, for reading values out of a JSON text.
  static func strings(in json: String) throws -> [(key: String?, value: String)] {
    var found: [(String?, String)] = []
    _ = try rewrite(json, key: { $0 }) { key, value in
      found.append((key, value))
      return value
    }
    return found
  }

  private static func closingQuote(_ bytes: [UInt8], from start: Int) throws -> Int {
    var index = start + 1
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\\"): index += 2
      case UInt8(ascii: "\""): return index
      default: index += 1
      }
    }
    throw JSONRewriteError.malformed("a string is not closed")
  }

  private static func decode(_ literal: [UInt8]) throws -> String {
    guard
      let value = try? JSONSerialization.jsonObject(with: Data(literal), options: [.fragmentsAllowed])
        as? String
    else { throw JSONRewriteError.malformed("a string literal cannot be read") }
    return value
  }

  static func encode(_ text: String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out += Array("\\\"".utf8)
      case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
      case 0x0A: out += Array("\\n".utf8)
      case 0x0D: out += Array("\\r".utf8)
      case 0x09: out += Array("\\t".utf8)
      case 0x08: out += Array("\\b".utf8)
      case 0x0C: out += Array("\\f".utf8)
      case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
    return out
  }
}
