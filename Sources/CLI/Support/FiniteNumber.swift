import ArgumentParser

/// Reads a floating-point option value, refusing `nan` and `inf`: Swift parses them as numbers,
/// and a parameter that is not finite can be neither compared with its bounds nor stored as JSON.
/// Used as `@Option(transform: FiniteNumber.parse)`, so the parser names the option in its usage
/// error (exit 2): "The value 'nan' is invalid for '--lr <lr>': not a finite number".
enum FiniteNumber {
  struct NotFinite: Error, CustomStringConvertible {
    var text: String
    var description: String {
      Double(text) == nil ? "not a number" : "not a finite number"
    }
  }

  static func parse(_ text: String) throws -> Double {
    guard let value = Double(text), value.isFinite else { throw NotFinite(text: text) }
    return value
  }
}
