import Foundation
import Platform

/// The checks of one field or row that the validation steps share; each refusal names the
/// bundle file and the row.
extension BundleValidator {
  /// Applies the rules local input must pass (RecordRules) to a row, naming the file and row.
  func rule(_ file: String, _ index: Int, _ check: () throws -> Void) throws {
    do { try check() } catch let violation as RecordRules.Violation {
      throw ImportError.badRow(file: file, index: index, reason: violation.description)
    }
  }

  func need(_ set: Set<String>, _ value: String, _ file: String, _ index: Int, _ field: String) throws {
    guard set.contains(value) else {
      throw ImportError.missingReference(
        file: file, index: index, field: field, value: String(value.prefix(80)))
    }
  }

  /// Weights and scores are of use only with their bytes, so they must travel.
  func shipped(_ stored: Set<String>, _ sha: String, _ file: String, _ index: Int, _ field: String) throws {
    guard stored.contains(sha) else {
      throw ImportError.badRow(
        file: file, index: index, reason: "\(field) \(sha.prefix(80)) is not among the blobs in data/blobs")
    }
  }

  /// A row of this bundle's dataset must name it: a bundle carries one dataset and nothing of another.
  func same(_ value: String, _ dataset: String, _ file: String, _ index: Int, _ field: String) throws {
    guard value == dataset else {
      throw ImportError.badRow(
        file: file, index: index,
        reason: "\(field) \(value.prefix(80)) is not the bundle's dataset \(dataset)")
    }
  }

  /// Text fields the catalog and the plugins read back as JSON: bounded, and JSON.
  func json(_ file: String, _ index: Int, _ values: String...) throws {
    for value in values {
      try text(file, index, value)
      guard (try? JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)) != nil
      else {
        throw ImportError.badRow(file: file, index: index, reason: "a JSON field is not valid JSON")
      }
    }
  }

  /// Ids of the right kind, each once.
  func ids(_ file: String, _ values: [String], _ kind: EntityKind) throws -> Set<String> {
    var seen: Set<String> = []
    for (index, id) in values.enumerated() {
      let hex = id.dropFirst(kind.idPrefix.count + 1)
      guard id.hasPrefix(kind.idPrefix + "_"), hex.count == 16, hex.allSatisfy(\.isHexDigit),
        seen.insert(id).inserted
      else {
        throw ImportError.badRow(
          file: file, index: index, reason: "'\(id.prefix(80))' is not a new \(kind.displayName) id")
      }
    }
    return seen
  }

  func text(_ file: String, _ index: Int, _ values: String...) throws {
    for value in values where value.utf8.count > BundleImporter.maxTextLength {
      throw ImportError.badRow(file: file, index: index, reason: "a text field is longer than 1 MiB")
    }
  }

  func range(_ file: String, _ index: Int, _ values: Int...) throws {
    for value in values where !(1...1_000_000_000).contains(value) {
      throw ImportError.badRow(
        file: file, index: index, reason: "a size, rate or version (\(value)) is out of range")
    }
  }

  /// Frame counts, positions and indexes: never negative (the schema's CHECKs), never absurd.
  func counts(_ file: String, _ index: Int, _ values: Int...) throws {
    for value in values where !(0...1_000_000_000).contains(value) {
      throw ImportError.badRow(
        file: file, index: index, reason: "a count, position or index (\(value)) is out of range")
    }
  }

  func duration(_ file: String, _ index: Int, _ seconds: Double) throws {
    guard (0...1e9).contains(seconds) else {
      throw ImportError.badRow(file: file, index: index, reason: "duration \(seconds) s is out of range")
    }
  }

  /// Each key once among the rows of `file`.
  func once(_ file: String, _ keys: [[String]], _ what: String) throws {
    var seen: Set<[String]> = []
    for (index, key) in keys.enumerated() where !seen.insert(key).inserted {
      throw ImportError.badRow(file: file, index: index, reason: "another row has the same \(what)")
    }
  }
}
