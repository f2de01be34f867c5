import Foundation
import GRDB

/// The identity of a run for the run cache: plugin, version, recorded parameters and the
/// *content* of its inputs (blob hashes where an entity has bytes, else its immutable id).
enum RunIdentity {
  static func cacheKey(
    plugin: String, version: SemanticVersion, parametersJSON: String, inputs: [EntityRef], in db: Database
  ) throws -> String {
    let contents = try inputs.map { try EntityLookup.contentFingerprint(of: $0, in: db) }
    let material = ([plugin, version.description, parametersJSON] + contents).joined(separator: "\n")
    return SHA256Hex.digest(material)
  }

  /// The `seed` parameter of a run, when it has one.
  static func seed(in parametersJSON: String) -> Int64? {
    guard
      let object = try? JSONSerialization.jsonObject(with: Data(parametersJSON.utf8)) as? [String: Any],
      let seed = object["seed"] as? NSNumber
    else { return nil }
    return seed.int64Value
  }
}
