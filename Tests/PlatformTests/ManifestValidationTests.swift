import Foundation
import Platform
import TestSupport
import Testing

/// `plugin.json` checks: every kind of bad field is named, with the file, on a line of its own;
/// hostile manifests (paths out of the folder, absurd sizes) are refused.
@Suite struct ManifestValidationTests {
  /// A valid manifest to break one field at a time.
  static var valid: [String: Any] {
    [
      "name": "probe", "version": "1.2.3", "summary": "Probes.", "command": ["run.sh", "--fast"],
      "parameters": [
        "rate": ["type": "float", "default": 0.5, "minimum": 0, "maximum": 1],
        "steps": ["type": "int", "default": 3, "minimum": 1, "maximum": 10],
        "mode": ["type": "enum", "default": "a", "values": ["a", "b"]],
        "tag": ["type": "string", "default": "x"], "verbose": ["type": "bool", "default": false],
      ],
      "inputs": [["kind": "dataset", "min": 1, "max": 1], ["kind": "split"]],
      "outputs": ["model", "evaluation"],
      "resources": ["cpus": 2, "memoryMB": 4096, "gpus": 0, "timeSeconds": 60],
      "deterministic": true,
    ]
  }

  /// A plugin folder holding `manifest` and an executable `run.sh`.
  static func folder(_ manifest: [String: Any], in scratch: URL) throws -> URL {
    let folder = scratch.appendingPathComponent("plugin-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try JSONSerialization.data(withJSONObject: manifest).write(
      to: folder.appendingPathComponent("plugin.json"))
    let program = folder.appendingPathComponent("run.sh")
    try "#!/bin/sh\ncat >/dev/null\n".write(to: program, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program.path)
    return folder
  }

  /// The problems `read` reports for `manifest`.
  static func problems(_ manifest: [String: Any], in scratch: URL, prepare: (URL) throws -> Void = { _ in })
    throws -> [String]
  {
    let folder = try folder(manifest, in: scratch)
    try prepare(folder)
    do {
      _ = try ManifestReader.read(folder: folder)
      return []
    } catch let error as ManifestError {
      for line in error.problems {
        #expect(line.hasPrefix(folder.appendingPathComponent("plugin.json").path + ": "))
      }
      return error.problems
    }
  }

  static func changed(_ key: String, _ value: Any?) -> [String: Any] {
    var manifest = valid
    manifest[key] = value
    return manifest
  }

  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pleura-manifest-\(UUID().uuidString)")

  @Test func aValidManifestReadsWithItsTypedParametersAndDefaults() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let manifest = try ManifestReader.read(folder: try Self.folder(Self.valid, in: scratch))
    #expect(manifest.name == "probe" && manifest.version == SemanticVersion(1, 2, 3))
    #expect(manifest.parameters.map(\.name) == ["mode", "rate", "steps", "tag", "verbose"])
    #expect(manifest.parameters.first { $0.name == "steps" }?.defaultValue == .integer(3))
    #expect(manifest.inputs.map(\.kind) == [.dataset, .split])
    #expect(manifest.outputs == [.model, .evaluation])
    #expect(manifest.resources.timeSeconds == 60 && manifest.deterministic)
  }

  @Test func theShippedPluginsManifestIsValid() throws {
    let manifest = try ManifestReader.read(
      folder: PackageRoot.url.appendingPathComponent("plugins/mmode-logistic"))
    #expect(manifest.name == "mmode-logistic" && manifest.outputs == [.model, .evaluation])
  }

  /// A JSON value as text (`nil` leaves the field out).
  static func value(_ json: String?) throws -> Any? {
    try json.map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
  }

  @Test(
    arguments: [
      ("name", #""Probe""#, "name"), ("name", "7", "name"), ("version", #""1.2""#, "version"),
      ("version", #""1.2.x""#, "version"), ("summary", nil, "summary"),
      ("summary", "\"" + String(repeating: "s", count: 201) + "\"", "summary"),
      ("summary", #""two\nlines""#, "summary"), ("command", "[]", "command"),
      ("command", #""run.sh""#, "command"),
      ("deterministic", #""yes""#, "deterministic"), ("deterministic", nil, "deterministic"),
      ("outputs", #"["site"]"#, "outputs[0]"), ("outputs", "[]", "outputs"),
      ("outputs", #"["cube"]"#, "outputs[0]"),
      ("inputs", #"[{"kind": "patient"}]"#, "inputs[0].kind"),
      ("inputs", #"[{"kind": "dataset", "min": 2, "max": 1}]"#, "inputs[0]"),
      ("inputs", #"[{"kind": "dataset"}, {"kind": "dataset"}]"#, "inputs[1].kind"),
      ("inputs", #"[{"kind": "dataset", "max": 1000000}]"#, "inputs[0]"),
      ("resources", #"{"memoryMB": 1099511627776}"#, "resources.memoryMB"),
      ("resources", #"{"timeSeconds": 0}"#, "resources.timeSeconds"),
      ("resources", #"{"cpus": 100000}"#, "resources.cpus"),
      ("resources", #"{"gpus": -1}"#, "resources.gpus"),
      ("resources", #"{"disk": 1}"#, "resources.disk"), ("colour", #""blue""#, "colour"),
    ] as [(String, String?, String)])
  func eachBadFieldIsNamed(key: String, json: String?, field: String) throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let problems = try Self.problems(Self.changed(key, try Self.value(json)), in: scratch)
    #expect(problems.count == 1, "\(problems)")
    #expect(problems.first?.contains(": \(field): ") == true, "\(problems)")
  }

  @Test(arguments: [
    (#"{"type": "number", "default": 1}"#, "parameters.p.type"),
    (#"{"type": "int", "default": 1.5}"#, "parameters.p.default"),
    (#"{"type": "int", "default": 11, "maximum": 10}"#, "parameters.p.default"),
    (#"{"type": "float", "default": "fast"}"#, "parameters.p.default"),
    (#"{"type": "float", "default": 0.5, "minimum": 1, "maximum": 0}"#, "parameters.p.minimum"),
    (#"{"type": "bool", "default": 1}"#, "parameters.p.default"),
    (#"{"type": "string"}"#, "parameters.p.default"),
    (#"{"type": "enum", "default": "c", "values": ["a", "b"]}"#, "parameters.p.default"),
    (#"{"type": "enum", "default": "a"}"#, "parameters.p.values"),
    (#"{"type": "string", "default": "a", "minimum": 1}"#, "parameters.p.minimum"),
    (#"{"type": "int", "default": 1, "units": "s"}"#, "parameters.p.units"),
    (
      #"{"type": "string", "default": ""# + String(repeating: "x", count: 2000) + #""}"#,
      "parameters.p.default"
    ),
  ])
  func eachBadParameterIsNamed(declaration: String, field: String) throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let problems = try Self.problems(
      Self.changed("parameters", ["p": try Self.value(declaration) ?? NSNull()]), in: scratch)
    #expect(problems.contains { $0.contains(": \(field): ") }, "\(problems)")
  }

  @Test func everyProblemIsReportedAtOnce() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    var manifest = Self.valid
    manifest["name"] = "Bad Name"
    manifest["version"] = "one"
    manifest["outputs"] = ["video"]
    let problems = try Self.problems(manifest, in: scratch)
    #expect(problems.count == 3, "\(problems)")
  }

  @Test func aCommandMustStayInsideThePluginsFolder() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    for program in ["/bin/sh", "../run.sh", "sub/../../run.sh", "missing.sh"] {
      let problems = try Self.problems(Self.changed("command", [program]), in: scratch)
      #expect(problems.count == 1 && problems[0].contains(": command[0]: "), "\(program): \(problems)")
    }
    // A link inside the folder that points out of it.
    let linked = try Self.problems(Self.changed("command", ["escape.sh"]), in: scratch) { folder in
      try FileManager.default.createSymbolicLink(
        atPath: folder.appendingPathComponent("escape.sh").path, withDestinationPath: "/bin/sh")
    }
    #expect(linked.count == 1 && linked[0].contains("symbolic link"), "\(linked)")
    // A program that cannot be executed.
    let plain = try Self.problems(Self.changed("command", ["data.txt"]), in: scratch) { folder in
      try "x".write(to: folder.appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
    }
    #expect(plain.count == 1 && plain[0].contains("not executable"), "\(plain)")
  }

  @Test func hostileFilesAreRefusedWithOneLine() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let huge = try Self.folder(Self.valid, in: scratch)
    try Data(repeating: 0x20, count: ManifestLimits.fileBytes + 1).write(
      to: huge.appendingPathComponent("plugin.json"))
    #expect(throws: ManifestError.self) { try ManifestReader.read(folder: huge) }
    let notJSON = try Self.folder(Self.valid, in: scratch)
    try Data("[1, 2".utf8).write(to: notJSON.appendingPathComponent("plugin.json"))
    do {
      _ = try ManifestReader.read(folder: notJSON)
      Issue.record("a manifest that is not JSON was read")
    } catch let error as ManifestError {
      #expect(error.problems.count == 1 && error.problems[0].contains("is not a JSON object"))
    }
    let control = try Self.problems(Self.changed("name", "a\u{1b}[2Jb"), in: scratch)
    #expect(control.count == 1 && !control[0].contains("\u{1b}"), "\(control)")
    let arguments = try Self.problems(
      Self.changed("command", Array(repeating: "run.sh", count: 100)), in: scratch)
    #expect(arguments.count == 1 && arguments[0].contains(": command: "), "\(arguments)")
  }

  @Test func findingSkipsBrokenPluginsAndNamesThem() throws {
    defer { try? FileManager.default.removeItem(at: scratch) }
    let place = scratch.appendingPathComponent("path")
    try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true)
    let good = try Self.folder(Self.valid, in: place)
    _ = try Self.folder(Self.changed("version", "x"), in: place)
    _ = try Self.folder(Self.valid, in: place)  // the same name again
    let found = ExternalPluginFinder.find(catalogRoot: nil, environment: ["PLEURA_PLUGIN_PATH": place.path])
    #expect(found.plugins.map(\.manifest.name) == ["probe"])
    #expect(found.problems.count == 2, "\(found.problems)")
    #expect(found.plugins.first?.origin == "PLEURA_PLUGIN_PATH")
    _ = good
  }
}
