import Foundation

/// Checks a value against an external plugin's parameter declaration: its type, range and
/// choices. The manifest's defaults and every `--param key=value` pass through here.
enum ParameterCheck {
  /// The value as it is stored (an `int` written `3.0` becomes 3), or why it does not fit.
  static func check(_ value: AnyJSON, against spec: PluginManifest.ParameterSpec) -> Result<AnyJSON, Failure>
  {
    switch spec.type {
    case .bool:
      guard case .bool = value else { return .failure(Failure("must be true or false")) }
      return .success(value)
    case .string:
      guard let string = value.stringValue else { return .failure(Failure("must be a string")) }
      guard string.count <= ManifestLimits.stringLength else {
        return .failure(Failure("is \(string.count) characters; at most \(ManifestLimits.stringLength)"))
      }
      return .success(value)
    case .enum:
      guard let string = value.stringValue, spec.values.contains(string) else {
        return .failure(Failure("must be one of " + spec.values.joined(separator: ", ")))
      }
      return .success(value)
    case .int:
      guard let number = value.doubleValue, number.isFinite, number == number.rounded(),
        abs(number) < 9e15
      else { return .failure(Failure("must be a whole number")) }
      if let failure = range(number, spec) { return .failure(failure) }
      return .success(.integer(Int64(number)))
    case .float:
      guard let number = value.doubleValue, number.isFinite else {
        return .failure(Failure("must be a finite number"))
      }
      if let failure = range(number, spec) { return .failure(failure) }
      return .success(.number(number))
    }
  }

  /// A `key=value` text typed by the declaration.
  static func parse(_ text: String, as spec: PluginManifest.ParameterSpec) -> Result<AnyJSON, Failure> {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    switch spec.type {
    case .string, .enum: return check(.string(text), against: spec)
    case .bool:
      switch trimmed.lowercased() {
      case "true", "yes", "1": return .success(.bool(true))
      case "false", "no", "0": return .success(.bool(false))
      default: return .failure(Failure("must be true or false"))
      }
    case .int, .float:
      guard let number = Double(trimmed) else {
        return .failure(Failure(spec.type == .int ? "must be a whole number" : "must be a finite number"))
      }
      return check(.number(number), against: spec)
    }
  }

  private static func range(_ number: Double, _ spec: PluginManifest.ParameterSpec) -> Failure? {
    if let minimum = spec.minimum, number < minimum {
      return Failure("\(shown(number)) is below the minimum \(shown(minimum))")
    }
    if let maximum = spec.maximum, number > maximum {
      return Failure("\(shown(number)) is above the maximum \(shown(maximum))")
    }
    return nil
  }

  private static func shown(_ number: Double) -> String {
    number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
  }

  struct Failure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
  }
}
