import Foundation
import Primitives

/// A manifest that cannot be used, with every problem found: one line each, naming the file and
/// the field.
public struct ManifestError: Error, CustomStringConvertible, Equatable {
  public var problems: [String]

  public var description: String { problems.joined(separator: "\n") }
}

/// Reads and checks a `plugin.json`, collecting every problem rather than stopping at the first,
/// so that a plugin author fixes them in one round.
public struct ManifestReader {
  let file: String
  private var problems: [String] = []

  private init(file: String) { self.file = file }

  /// The manifest in `folder/plugin.json`, checked; the command must be a regular file inside
  /// `folder` (symbolic links resolved).
  public static func read(folder: URL) throws -> PluginManifest {
    let url = folder.appendingPathComponent("plugin.json")
    var reader = ManifestReader(file: url.path)
    let data: Data
    do {
      let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
      let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
      guard size <= ManifestLimits.fileBytes else {
        throw ManifestError(problems: [
          "\(url.path): is \(size) bytes; a manifest may have at most \(ManifestLimits.fileBytes)"
        ])
      }
      data = try Data(contentsOf: url)
    } catch let error as ManifestError {
      throw error
    } catch {
      throw ManifestError(problems: ["\(url.path): cannot be read (no plugin.json in \(folder.path)?)"])
    }
    guard let top = try? JSONDecoder().decode(AnyJSON.self, from: data), let object = top.objectValue else {
      throw ManifestError(problems: ["\(url.path): is not a JSON object"])
    }
    let manifest = reader.manifest(object, folder: folder)
    guard reader.problems.isEmpty, let manifest else { throw ManifestError(problems: reader.problems) }
    return manifest
  }

  private mutating func problem(_ field: String, _ text: String) {
    problems.append("\(file): \(field): \(text)")
  }

  private mutating func manifest(_ object: [String: AnyJSON], folder: URL) -> PluginManifest? {
    let known: Set = [
      "name", "version", "summary", "command", "parameters", "inputs", "outputs", "resources",
      "deterministic",
    ]
    for key in object.keys.sorted() where !known.contains(key) {
      problem(
        key.escapedForMessage, "is not a manifest field (fields: \(known.sorted().joined(separator: ", ")))")
    }
    let name = pluginName(object["name"])
    let version = semanticVersion(object["version"])
    let summary = text(
      object["summary"], field: "summary", limit: ManifestLimits.summaryLength, required: true)
    let command = command(object["command"], folder: folder)
    let parameters = parameters(object["parameters"])
    let inputs = inputs(object["inputs"])
    let outputs = outputs(object["outputs"])
    let resources = resources(object["resources"])
    var deterministic = false
    switch object["deterministic"] {
    case .bool(let value)?: deterministic = value
    case nil: problem("deterministic", "is missing (true when the same request gives identical outputs)")
    default: problem("deterministic", "must be true or false")
    }
    guard let name, let version, let summary, let command, let parameters, let inputs, let outputs,
      let resources
    else { return nil }
    return PluginManifest(
      name: name, version: version, summary: summary, command: command, parameters: parameters,
      inputs: inputs, outputs: outputs, resources: resources, deterministic: deterministic)
  }

  private mutating func pluginName(_ value: AnyJSON?) -> String? {
    guard let name = text(value, field: "name", limit: 64, required: true) else { return nil }
    let valid =
      !name.isEmpty
      && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    guard valid else {
      problem("name", "'\(name.escapedForMessage)' must be lowercase letters, digits and '-'")
      return nil
    }
    return name
  }

  private mutating func semanticVersion(_ value: AnyJSON?) -> SemanticVersion? {
    guard let text = text(value, field: "version", limit: 32, required: true) else { return nil }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 3, let major = parts[0], let minor = parts[1], let patch = parts[2], major >= 0,
      minor >= 0, patch >= 0
    else {
      problem("version", "'\(text.escapedForMessage)' is not MAJOR.MINOR.PATCH")
      return nil
    }
    return SemanticVersion(major, minor, patch)
  }

  /// A one-line string of at most `limit` characters.
  private mutating func text(_ value: AnyJSON?, field: String, limit: Int, required: Bool) -> String? {
    guard let value else {
      if required { problem(field, "is missing") }
      return nil
    }
    guard let string = value.stringValue else {
      problem(field, "must be a string")
      return nil
    }
    guard string.count <= limit else {
      problem(field, "is \(string.count) characters; at most \(limit)")
      return nil
    }
    guard !string.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
      problem(field, "holds control characters")
      return nil
    }
    return string
  }

  private mutating func command(_ value: AnyJSON?, folder: URL) -> [String]? {
    guard case .array(let items)? = value, !items.isEmpty else {
      problem(
        "command",
        "must be a non-empty list of strings (the program, relative to the plugin's folder, then its arguments)"
      )
      return nil
    }
    guard items.count <= ManifestLimits.commandArguments else {
      problem("command", "has \(items.count) elements; at most \(ManifestLimits.commandArguments)")
      return nil
    }
    var argv: [String] = []
    for (index, item) in items.enumerated() {
      guard
        let string = text(
          item, field: "command[\(index)]", limit: ManifestLimits.argumentLength, required: true)
      else { return nil }
      argv.append(string)
    }
    guard let program = argv.first else { return nil }
    if let reason = PluginFolder.problem(withProgram: program, in: folder) {
      problem("command[0]", "'\(program.escapedForMessage)' \(reason)")
      return nil
    }
    return argv
  }

  private mutating func parameters(_ value: AnyJSON?) -> [PluginManifest.ParameterSpec]? {
    guard let value else { return [] }
    guard let object = value.objectValue else {
      problem("parameters", "must be an object of parameter name to its declaration")
      return nil
    }
    guard object.count <= ManifestLimits.parameters else {
      problem("parameters", "declares \(object.count); at most \(ManifestLimits.parameters)")
      return nil
    }
    var specs: [PluginManifest.ParameterSpec] = []
    var ok = true
    for (name, declaration) in object.sorted(by: { $0.key < $1.key }) {
      if let spec = parameter(name, declaration) { specs.append(spec) } else { ok = false }
    }
    return ok ? specs : nil
  }

  private mutating func parameter(_ name: String, _ declaration: AnyJSON) -> PluginManifest.ParameterSpec? {
    let field = "parameters.\(name.escapedForMessage)"
    let validName =
      !name.isEmpty && name.count <= 64
      && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "_" }
    guard validName else {
      problem(field, "a parameter name must be ASCII letters, digits and '_'")
      return nil
    }
    guard let object = declaration.objectValue else {
      problem(field, "must be an object with type and default")
      return nil
    }
    for key in object.keys.sorted()
    where !["type", "default", "minimum", "maximum", "values", "help"].contains(key) {
      problem(
        "\(field).\(key.escapedForMessage)",
        "is not a parameter field (type, default, minimum, maximum, values, help)")
    }
    guard let typeName = object["type"]?.stringValue,
      let type = PluginManifest.ParameterType(rawValue: typeName)
    else {
      problem(
        "\(field).type",
        "must be one of " + PluginManifest.ParameterType.allCases.map(\.rawValue).joined(separator: ", "))
      return nil
    }
    let help =
      text(object["help"], field: "\(field).help", limit: ManifestLimits.summaryLength, required: false) ?? ""
    var spec = PluginManifest.ParameterSpec(
      name: name, type: type, defaultValue: .null, minimum: nil, maximum: nil, values: [], help: help)
    for bound in ["minimum", "maximum"] {
      guard let raw = object[bound] else { continue }
      guard type == .int || type == .float else {
        problem("\(field).\(bound)", "only an int or float parameter has bounds")
        return nil
      }
      guard let number = raw.doubleValue, number.isFinite else {
        problem("\(field).\(bound)", "must be a finite number")
        return nil
      }
      if bound == "minimum" { spec.minimum = number } else { spec.maximum = number }
    }
    if let minimum = spec.minimum, let maximum = spec.maximum, minimum > maximum {
      problem("\(field).minimum", "\(minimum) is above the maximum \(maximum)")
      return nil
    }
    if type == .enum {
      guard case .array(let items)? = object["values"], !items.isEmpty,
        items.count <= ManifestLimits.enumValues,
        items.allSatisfy({ $0.stringValue != nil })
      else {
        problem("\(field).values", "an enum needs 1 to \(ManifestLimits.enumValues) string values")
        return nil
      }
      spec.values = items.compactMap(\.stringValue)
      guard Set(spec.values).count == spec.values.count else {
        problem("\(field).values", "are not distinct")
        return nil
      }
    } else if object["values"] != nil {
      problem("\(field).values", "only an enum parameter has values")
      return nil
    }
    guard let defaultValue = object["default"] else {
      problem("\(field).default", "is missing (every parameter has a default)")
      return nil
    }
    switch ParameterCheck.check(defaultValue, against: spec) {
    case .success(let value): spec.defaultValue = value
    case .failure(let reason):
      problem("\(field).default", reason.reason)
      return nil
    }
    return spec
  }

  private mutating func inputs(_ value: AnyJSON?) -> [PluginManifest.InputSpec]? {
    guard let value else { return [] }
    guard case .array(let items) = value, items.count <= ManifestLimits.inputs else {
      problem("inputs", "must be a list of at most \(ManifestLimits.inputs) {kind, min, max} objects")
      return nil
    }
    var specs: [PluginManifest.InputSpec] = []
    for (index, item) in items.enumerated() {
      let field = "inputs[\(index)]"
      guard let object = item.objectValue, let kindName = object["kind"]?.stringValue else {
        problem(field, "must be an object with a kind")
        return nil
      }
      guard let kind = EntityKind(rawValue: kindName), PluginManifest.acceptedInputs.contains(kind) else {
        problem(
          "\(field).kind",
          "'\(kindName.escapedForMessage)' is not an input kind external plugins take ("
            + PluginManifest.acceptedInputs.map(\.rawValue).joined(separator: ", ") + ")")
        return nil
      }
      guard !specs.contains(where: { $0.kind == kind }) else {
        problem("\(field).kind", "\(kind.rawValue) is declared twice")
        return nil
      }
      let min = object["min"]?.intValue ?? 1
      let max = object["max"]?.intValue ?? min
      guard object["min"] == nil || object["min"]?.intValue != nil,
        object["max"] == nil || object["max"]?.intValue != nil,
        min >= 0, max >= 1, min <= max, max <= ManifestLimits.inputsPerKind
      else {
        problem(
          field,
          "min and max must be whole numbers with 0 <= min <= max and 1 <= max <= \(ManifestLimits.inputsPerKind)"
        )
        return nil
      }
      specs.append(PluginManifest.InputSpec(kind: kind, min: Int(min), max: Int(max)))
    }
    return specs
  }

  private mutating func outputs(_ value: AnyJSON?) -> [ExternalOutputKind]? {
    guard case .array(let items)? = value, !items.isEmpty else {
      problem(
        "outputs",
        "must be a non-empty list of output kinds ("
          + PluginManifest.acceptedOutputs.map(\.rawValue).joined(separator: ", ") + ")")
      return nil
    }
    var kinds: [ExternalOutputKind] = []
    for (index, item) in items.enumerated() {
      guard let name = item.stringValue, let kind = ExternalOutputKind(rawValue: name),
        PluginManifest.acceptedOutputs.contains(kind)
      else {
        let shown = item.stringValue.map { "'\($0.escapedForMessage)'" } ?? "this"
        problem(
          "outputs[\(index)]",
          "\(shown) is not an output kind external plugins make ("
            + PluginManifest.acceptedOutputs.map(\.rawValue).joined(separator: ", ") + ")")
        return nil
      }
      if !kinds.contains(kind) { kinds.append(kind) }
    }
    return kinds
  }

  private mutating func resources(_ value: AnyJSON?) -> PluginManifest.Resources? {
    var resources = PluginManifest.Resources(cpus: 1, memoryMB: 1024, gpus: 0, timeSeconds: 3600)
    guard let value else { return resources }
    guard let object = value.objectValue else {
      problem("resources", "must be an object (cpus, memoryMB, gpus, timeSeconds)")
      return nil
    }
    let bounds: [(String, Int, Int, WritableKeyPath<PluginManifest.Resources, Int>)] = [
      ("cpus", 1, ManifestLimits.cpus, \.cpus), ("memoryMB", 1, ManifestLimits.memoryMB, \.memoryMB),
      ("gpus", 0, ManifestLimits.gpus, \.gpus), ("timeSeconds", 1, ManifestLimits.timeSeconds, \.timeSeconds),
    ]
    for key in object.keys.sorted() where !bounds.contains(where: { $0.0 == key }) {
      problem("resources.\(key.escapedForMessage)", "is not a resource (cpus, memoryMB, gpus, timeSeconds)")
    }
    var ok = true
    for (key, low, high, path) in bounds {
      guard let raw = object[key] else { continue }
      guard let number = raw.intValue, number >= low, number <= high else {
        problem("resources.\(key)", "must be a whole number from \(low) to \(high)")
        ok = false
        continue
      }
      resources[keyPath: path] = Int(number)
    }
    return ok ? resources : nil
  }
}
