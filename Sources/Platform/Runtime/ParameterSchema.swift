import Foundation

/// A plugin parameter as `pleura plugins show` prints it.
public struct ParameterInfo: Codable, Sendable, Equatable {
  public var name: String
  public var type: String
  public var defaultValue: String
  public var help: String
}

public enum ParameterError: Error, CustomStringConvertible, Equatable {
  case malformed(String)
  case unknown(name: String, plugin: String, valid: [String], suggestion: String?)
  case badValue(name: String, value: String, expected: String)
  case invalid(plugin: String, reason: String)

  public var description: String {
    switch self {
    case .malformed(let text): "parameter '\(text)' is not of the form key=value"
    case .unknown(let name, let plugin, let valid, let suggestion):
      "plugin \(plugin) has no parameter '\(name)'"
        + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        + " (valid: \(valid.joined(separator: ", ")))"
    case .badValue(let name, let value, let expected):
      "parameter \(name): '\(value)' is not \(expected)"
    case .invalid(let plugin, let reason): "parameters of \(plugin) are invalid: \(reason)"
    }
  }
}

/// Reads a parameter struct's names, types and defaults from its encoded defaults, and applies
/// `key=value` overrides typed by those defaults.
public enum ParameterSchema {
  public static func describe<P: Plugin>(_ plugin: P.Type) -> [ParameterInfo] {
    let defaults = (try? jsonObject(P.Parameters())) ?? [:]
    return defaults.sorted { $0.key < $1.key }.map { name, value in
      ParameterInfo(
        name: name, type: typeName(of: value), defaultValue: render(value),
        help: P.parameterHelp[name] ?? "")
    }
  }

  /// The defaults with each `key=value` applied; keys must exist, values must fit the default's type.
  public static func apply<P: Plugin>(_ assignments: [String], to plugin: P.Type) throws -> P.Parameters {
    var object = try jsonObject(P.Parameters())
    for assignment in assignments {
      guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
        throw ParameterError.malformed(assignment)
      }
      let name = String(assignment[..<equals])
      let text = String(assignment[assignment.index(after: equals)...])
      guard let current = object[name] else {
        let valid = object.keys.sorted()
        throw ParameterError.unknown(
          name: name, plugin: P.name, valid: valid, suggestion: NameSuggestion.closest(to: name, in: valid))
      }
      object[name] = try convert(text, like: current, name: name)
    }
    return try decode(object, as: P.self)
  }

  /// Decodes parameters from recorded JSON (a run's or a conversion's `parameters_json`) through
  /// the plugin's own type, the one way any part of Pleura reads another plugin's parameters.
  /// A field the record does not hold reads as its default (it was added after the record was
  /// written); a field of the wrong type is an error.
  public static func decode<P: Plugin>(json: String, as plugin: P.Type) throws -> P.Parameters {
    guard let recorded = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
      throw ParameterError.invalid(plugin: P.name, reason: "the recorded parameters are not a JSON object")
    }
    return try overlay(recorded, on: P.Parameters(), as: plugin)
  }

  /// `parameters` with each field that `object` also names set to its value there; other keys are
  /// not this plugin's and are left alone (a grid file holds several plugins' settings side by side).
  public static func overlay<P: Plugin>(
    _ object: [String: Any], on parameters: P.Parameters, as plugin: P.Type
  )
    throws -> P.Parameters
  {
    var merged = try jsonObject(parameters)
    for (name, value) in object where merged[name] != nil { merged[name] = value }
    return try decode(merged, as: plugin)
  }

  // MARK: - JSON plumbing

  static func jsonObject<T: Encodable>(_ value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
  }

  static func decode<P: Plugin>(_ object: [String: Any], as plugin: P.Type) throws -> P.Parameters {
    let data = try JSONSerialization.data(withJSONObject: object)
    do {
      return try JSONDecoder().decode(P.Parameters.self, from: data)
    } catch {
      throw ParameterError.invalid(plugin: P.name, reason: "\(error)")
    }
  }

  static func typeName(of value: Any) -> String {
    switch value {
    case let number as NSNumber:
      if isBoolean(number) { return "bool" }
      return number.stringValue.contains(".") || number.stringValue.contains("e") ? "number" : "integer"
    case is String: return "string"
    case is [Any]: return "list"
    case is [String: Any]: return "object"
    default: return "value"
    }
  }

  /// JSON booleans come back as NSNumber; their Objective-C type code tells them from 0 and 1.
  static func isBoolean(_ number: NSNumber) -> Bool {
    let code = String(cString: number.objCType)
    return code == "c" || code == "B"
  }

  static func render(_ value: Any) -> String {
    if let string = value as? String { return string.isEmpty ? "\"\"" : string }
    if let data = try? JSONSerialization.data(
      withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
    {
      return String(decoding: data, as: UTF8.self)
    }
    return "\(value)"
  }

  static func convert(_ text: String, like current: Any, name: String) throws -> Any {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
      guard let parsed = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) else {
        throw ParameterError.badValue(name: name, value: text, expected: "valid JSON")
      }
      return parsed
    }
    switch typeName(of: current) {
    case "bool":
      switch trimmed.lowercased() {
      case "true", "yes", "1": return true
      case "false", "no", "0": return false
      default: throw ParameterError.badValue(name: name, value: text, expected: "true or false")
      }
    case "integer":
      if let int = Int(trimmed) { return int }
      // A number field whose default is whole.
      if let double = Double(trimmed), double.isFinite { return double }
      throw ParameterError.badValue(name: name, value: text, expected: "a finite number")
    case "number":
      // Swift reads `nan` and `inf` as numbers; a parameter must be finite to be checked and stored.
      guard let double = Double(trimmed), double.isFinite else {
        throw ParameterError.badValue(name: name, value: text, expected: "a finite number")
      }
      return double
    case "list":
      let items = trimmed.isEmpty ? [] : trimmed.split(separator: ",").map { String($0) }
      let element = (current as? [Any])?.first
      return try items.map { item in try element.map { try convert(item, like: $0, name: name) } ?? item }
    default:
      return text
    }
  }
}
