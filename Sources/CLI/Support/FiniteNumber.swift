import ArgumentParser

/// Refuses `nan` and `inf` in floating-point options: Swift parses them as numbers, and a
/// parameter that is not finite can be neither compared with its bounds nor stored as JSON.
/// Every command with such options calls it first thing in `validate()`, so the refusal is a
/// usage error (exit 2) naming the option: "--lr nan: not a finite number".
enum FiniteNumber {
  static func check(_ options: KeyValuePairs<String, Double?>) throws {
    for (name, value) in options {
      if let value, !value.isFinite { throw ValidationError("\(name) \(value): not a finite number") }
    }
  }
}
