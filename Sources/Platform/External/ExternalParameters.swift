import Foundation
import GRDB

/// An external plugin's parameters and inputs checked against its manifest.
enum ExternalParameters {
  /// Every declared parameter: the given value checked, else the default. An undeclared name is
  /// refused with the valid ones.
  static func complete(_ given: [String: AnyJSON], for manifest: PluginManifest) throws -> [String: AnyJSON] {
    var parameters: [String: AnyJSON] = [:]
    let names = manifest.parameters.map(\.name)
    for name in given.keys.sorted() where !names.contains(name) {
      throw ParameterError.unknown(
        name: name, plugin: manifest.name, valid: names,
        suggestion: NameSuggestion.closest(to: name, in: names))
    }
    for spec in manifest.parameters {
      guard let value = given[spec.name] else {
        parameters[spec.name] = spec.defaultValue
        continue
      }
      switch ParameterCheck.check(value, against: spec) {
      case .success(let checked): parameters[spec.name] = checked
      case .failure(let failure):
        throw ExternalPluginError.parameter(plugin: manifest.name, name: spec.name, reason: failure.reason)
      }
    }
    return parameters
  }

  /// `key=value` assignments typed by the manifest.
  static func parse(_ assignments: [String], for manifest: PluginManifest) throws -> [String: AnyJSON] {
    var given: [String: AnyJSON] = [:]
    let names = manifest.parameters.map(\.name)
    for assignment in assignments {
      guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
        throw ParameterError.malformed(assignment)
      }
      let name = String(assignment[..<equals])
      guard let spec = manifest.parameters.first(where: { $0.name == name }) else {
        throw ParameterError.unknown(
          name: name, plugin: manifest.name, valid: names,
          suggestion: NameSuggestion.closest(to: name, in: names))
      }
      switch ParameterCheck.parse(String(assignment[assignment.index(after: equals)...]), as: spec) {
      case .success(let value): given[name] = value
      case .failure(let failure):
        throw ExternalPluginError.parameter(plugin: manifest.name, name: name, reason: failure.reason)
      }
    }
    return given
  }

  /// Inputs of kinds the manifest declares, as many of each as it allows, all in the catalog.
  static func validate(_ inputs: [EntityRef], for manifest: PluginManifest, in db: Database) throws {
    for input in inputs {
      guard manifest.inputs.contains(where: { $0.kind == input.kind }) else {
        throw RunError.inputNotAccepted(input, plugin: manifest.name, accepted: manifest.inputs.map(\.kind))
      }
      guard try EntityLookup.exists(input, in: db) else { throw RunError.inputNotFound(input.id) }
    }
    for spec in manifest.inputs {
      let count = inputs.filter { $0.kind == spec.kind }.count
      guard (spec.min...spec.max).contains(count) else {
        throw ExternalPluginError.inputCount(
          plugin: manifest.name, kind: spec.kind, given: count, min: spec.min, max: spec.max)
      }
    }
  }

  /// A seed for a plugin that declares none: from the run's identity, so the same run gets the
  /// same seed every time.
  static func seed(fromCacheKey key: String) -> Int64 {
    Int64(key.prefix(12), radix: 16) ?? 0
  }
}
